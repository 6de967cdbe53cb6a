// Edit and delete for everyone (PROTOCOL.md "Editing, deleting, searching"):
// a menu on one's own messages, the "edited" mark and the tombstone "This
// message was deleted", kept live from msgupdate frames on every device.
// chat.js calls decorate() where it renders a message and onUpdate() for a
// msgupdate frame; everything else lives here.
import {api} from "./api.js";
import {h} from "./dom.js";
import {messageTime} from "./format.js";

// [messages] edit_window's default: the server has the last word (403
// edit_window_passed), the menu only stops offering "Edit" after it.
const EDIT_WINDOW_MS = 15 * 60 * 1000;
const MAX_TEXT = 4096;

export class MessageMenu {
	/** view: the ChatView (its conversations, rows and rendering). */
	constructor(view) {
		this.view = view;
		this.openMenu = null;
		this.menuButton = null;
		this.onDocumentClick = (event) => {
			if (this.openMenu && !this.openMenu.contains(event.target)) this.closeMenu();
		};
		document.addEventListener("click", this.onDocumentClick);
	}

	destroy() {
		document.removeEventListener("click", this.onDocumentClick);
	}

	/** Shapes a freshly rendered row: tombstone, "edited", and the menu on one's own. */
	decorate(row, message) {
		if (message.pending) return row;
		const bubble = row.querySelector(".bubble");
		const text = bubble.querySelector(".text");
		if (message.deleted) {
			row.classList.add("deleted");
			text.replaceChildren(h("span", {class: "tombstone", text: "This message was deleted"}));
			return row;
		}
		if (message.editedAt) {
			bubble.querySelector(".meta").prepend(h("span", {class: "edited", text: "edited"}));
		}
		if (Number(message.fromUserId) === Number(this.view.me.id)) {
			bubble.append(h("button", {type: "button", class: "message-menu-button", "aria-haspopup": "menu",
				"aria-label": "Message options", "aria-expanded": "false", title: "Message options", text: "⌄",
				onclick: (event) => { event.stopPropagation(); this.toggleMenu(row, message); }}));
		}
		return row;
	}

	/** A msgupdate frame: the message as it now is replaces the one held, wherever it shows. */
	onUpdate(frame) {
		const view = this.view;
		view.liveSeenId = Math.max(view.liveSeenId, Number(frame.eventId) || 0);
		const message = frame.message && {...frame.message, id: Number(frame.message.id)};
		if (!message || !message.id) return;
		this.apply(message);
	}

	apply(message) {
		const view = this.view;
		const key = view.keyOf(message);
		const conversation = view.conversations.get(key);
		if (conversation) {
			const index = conversation.messages.findIndex((held) => held.id === message.id);
			if (index >= 0) conversation.messages[index] = message;
		}
		const chat = view.chat(key);
		if (chat && chat.last && chat.last.id === message.id) chat.last = message;
		if (view.openKey === key) {
			// A new row, not the kept one: its text and marks changed.
			view.rows.delete(`m${message.id}`);
			view.renderMessages({keep: true});
		}
		view.renderChatList();
	}

	// ---- the menu ----------------------------------------------------------

	toggleMenu(row, message) {
		const open = this.openMenu && this.openMenu.parentNode === row.querySelector(".bubble");
		this.closeMenu();
		if (open) return;
		const canEdit = Date.now() - messageTime(message.timestamp) < EDIT_WINDOW_MS;
		const menu = h("div", {class: "message-menu", role: "menu"},
			canEdit ? h("button", {type: "button", role: "menuitem", text: "Edit", onclick: () => this.startEdit(row, message)}) : null,
			h("button", {type: "button", role: "menuitem", class: "danger", text: "Delete for everyone",
				onclick: (event) => { event.stopPropagation(); this.confirmDelete(menu, message); }}));
		row.querySelector(".bubble").append(menu);
		this.openMenu = menu;
		this.menuButton = row.querySelector(".message-menu-button");
		this.menuButton.setAttribute("aria-expanded", "true");
		menu.querySelector("button").focus();
		menu.addEventListener("keydown", (event) => {
			if (event.key === "Escape") {
				event.stopPropagation();
				this.closeMenu();
				row.querySelector(".message-menu-button").focus();
			}
		});
	}

	closeMenu() {
		if (this.openMenu) this.openMenu.remove();
		if (this.menuButton) this.menuButton.setAttribute("aria-expanded", "false");
		this.openMenu = null;
		this.menuButton = null;
	}

	confirmDelete(menu, message) {
		// No window.confirm: the question stays in the page.
		const error = h("p", {class: "message-menu-error", role: "alert"});
		menu.replaceChildren(
			h("p", {class: "message-menu-question", text: "Delete this message for everyone?"}),
			h("button", {type: "button", role: "menuitem", class: "danger", text: "Delete", onclick: async (event) => {
				event.stopPropagation();
				try {
					await api.deleteMessage(message.id);
					this.closeMenu();
					this.apply({...message, deleted: true, text: "", editedAt: null});
				} catch (failure) {
					error.textContent = failure.message;
				}
			}}),
			h("button", {type: "button", role: "menuitem", text: "Cancel", onclick: () => this.closeMenu()}),
			error);
		menu.querySelector(".danger").focus();
	}

	// ---- editing in place --------------------------------------------------

	startEdit(row, message) {
		this.closeMenu();
		const bubble = row.querySelector(".bubble");
		const text = bubble.querySelector(".text");
		const input = h("textarea", {class: "edit-text", rows: "2", maxlength: String(MAX_TEXT), "aria-label": "Edit message"});
		input.value = message.text;
		const error = h("p", {class: "message-menu-error", role: "alert"});
		const cancel = () => {
			form.replaceWith(text);
			row.querySelector(".message-menu-button").focus();
		};
		const save = async () => {
			const value = input.value;
			if (!value.trim()) { error.textContent = "A message cannot be empty."; return; }
			if (value === message.text) { cancel(); return; }
			try {
				const edited = await api.editMessage(message.id, value);
				this.apply({...edited, id: Number(edited.id)});
			} catch (failure) {
				error.textContent = failure.code === "edit_window_passed" ? "This message can no longer be edited." : failure.message;
			}
		};
		const form = h("form", {class: "edit-form"}, input,
			h("span", {class: "button-row"},
				h("button", {type: "submit", class: "secondary-button", text: "Save"}),
				h("button", {type: "button", class: "secondary-button", text: "Cancel", onclick: cancel})),
			error);
		form.addEventListener("submit", (event) => { event.preventDefault(); save(); });
		input.addEventListener("keydown", (event) => {
			event.stopPropagation();
			if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); save(); }
			else if (event.key === "Escape") { event.preventDefault(); cancel(); }
		});
		text.replaceWith(form);
		input.focus();
	}
}
