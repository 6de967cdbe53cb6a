// Searching one's messages across chats (GET /search): results under the
// contact list while the search box holds a query, each opening its chat at
// the found message. chat.js calls query() when the search box changes.
import {api} from "./api.js";
import {h, clear} from "./dom.js";
import {formatListTime, messageTime} from "./format.js";

const DEBOUNCE_MS = 250;
const RESULTS = 20;
const MIN_LENGTH = 2;
// Older pages read at most while looking for the found message (50 each).
const MAX_PAGES = 40;

export class MessageSearch {
	/** view: the ChatView (chats, conversations, openConversation, loadOlder). */
	constructor(view) {
		this.view = view;
		this.timer = null;
		this.asked = "";
		this.list = h("ul", {class: "search-results", "aria-label": "Messages found"});
		this.status = h("p", {class: "search-status", role: "status"});
		this.element = h("section", {class: "message-search", hidden: true, "aria-label": "Messages"},
			h("h3", {class: "search-heading", text: "Messages"}), this.status, this.list);
	}

	/** The search box holds text now (debounced; a short or empty text hides the results). */
	query(text) {
		clearTimeout(this.timer);
		const q = text.trim();
		if (Array.from(q).length < MIN_LENGTH) {
			this.asked = "";
			this.element.hidden = true;
			clear(this.list);
			return;
		}
		this.timer = setTimeout(() => this.run(q), DEBOUNCE_MS);
	}

	async run(q) {
		this.asked = q;
		this.element.hidden = false;
		this.status.textContent = "Searching…";
		let messages;
		try {
			messages = await api.search(q, {limit: RESULTS});
		} catch (error) {
			if (this.asked !== q) return;
			clear(this.list);
			this.status.textContent = error.field === "q" ? error.message : `Search failed: ${error.message}`;
			return;
		}
		if (this.asked !== q) return;  // a newer query is on its way
		clear(this.list);
		for (const message of messages || []) {
			const item = this.result(message);
			if (item) this.list.append(h("li", null, item));
		}
		this.status.textContent = this.list.childElementCount ? "" : `No messages match “${q}”.`;
	}

	result(message) {
		const view = this.view;
		const key = view.keyOf(message);
		const chat = view.chat(key);
		const own = Number(message.fromUserId) === Number(view.me.id);
		const group = message.groupId !== null && message.groupId !== undefined;
		const chatName = chat ? view.chatName(chat) : (group ? "Group" : view.userName(view.otherId(message), message.fromUserName));
		const sender = own ? "You: " : group ? `${view.userName(message.fromUserId, message.fromUserName)}: ` : "";
		return h("button", {type: "button", class: "search-result", "data-message-id": message.id,
			"aria-label": `${chatName}: ${message.text.slice(0, 120)}`,
			onclick: () => this.openAt(key, Number(message.id))},
		h("span", {class: "contact-top"},
			h("span", {class: "contact-name", text: chatName}),
			h("span", {class: "contact-time", text: formatListTime(messageTime(message.timestamp))})),
		h("span", {class: "search-result-text", text: sender + message.text}));
	}

	/** Opens the chat with that key scrolled to message id (reading older pages until it is there). */
	async openAt(key, id) {
		const view = this.view;
		if (!view.chat(key)) return;
		await view.openConversation(key);
		const conversation = view.conversationOf(key);
		for (let page = 0; page < MAX_PAGES && !conversation.ids.has(id) && !conversation.complete; page++) {
			const before = conversation.messages.length;
			await view.loadOlder(key);
			if (conversation.messages.length === before) break;
		}
		const row = view.messageList.querySelector(`.message-row[data-id="${id}"]`);
		if (!row) return;
		row.scrollIntoView({block: "center"});
		row.classList.add("found");
		setTimeout(() => row.classList.remove("found"), 2500);
	}
}
