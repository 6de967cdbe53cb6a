// The chat screen: contact list on the left, the open conversation on the
// right (one pane at a time on a phone), kept live over the WebSocket.
import {api} from "./api.js";
import {h, clear, avatar} from "./dom.js";
import {dayKey, formatDay, formatListTime, formatTime, messageTime} from "./format.js";
import {LiveSocket} from "./socket.js";
import {MessageMenu} from "./messagemenu.js";
import {MessageSearch} from "./search.js";
import {ProfilePanel} from "./profile.js";

const PAGE = 50;
const TYPING_SHOWN_MS = 4000;
const TYPING_SEND_EVERY_MS = 2500;
const PREVIEW_CONTACTS = 200;
const MAX_TEXT = 4096;

export class ChatView {
	constructor(root, me, {websocketUrl, onLoggedOut}) {
		this.root = root;
		this.me = me;
		this.onLoggedOut = onLoggedOut;
		this.contacts = new Map();      // userId -> {user, online, unreadIds:Set, last, typingUntil}
		this.conversations = new Map(); // userId -> {messages, ids:Set, pending, loaded, loading, complete, loadingOlder}
		this.openId = null;
		// The highest message id received over the socket: ?since= on a
		// reconnect. Ids learnt over HTTP do not count, as a lower id could
		// still be on its way over the socket.
		this.liveSeenId = 0;
		this.readSent = new Map();      // userId -> highest id of theirs we told the server we read
		this.readBy = new Map();        // userId -> highest id of ours they read (receipts)
		this.readByKey = `palaver.readBy.${me.id}`;
		this.loadReadBy();
		this.lastTypingSent = 0;
		this.everReady = false;
		this.pendingSeq = 0;
		this.typingTimer = null;
		this.rows = new Map();          // rendered rows of the open conversation, by key
		this.socket = new LiveSocket({
			url: websocketUrl || null,
			lastSeenId: () => this.liveSeenId,
			onFrame: (frame) => this.onFrame(frame),
			onState: (state, detail) => this.onConnectionState(state, detail),
			onAuthFailed: () => this.checkSession(),
		});
		this.onVisibility = () => { if (!document.hidden && this.openId) this.markRead(this.openId); };
		this.messageMenu = new MessageMenu(this);
		this.messageSearch = new MessageSearch(this);
		this.build();
	}

	// ---- lifecycle ---------------------------------------------------------

	async start() {
		document.addEventListener("visibilitychange", this.onVisibility);
		this.socket.start();
		await this.refreshContacts();
		this.loadPreviews();
	}

	destroy() {
		document.removeEventListener("visibilitychange", this.onVisibility);
		this.socket.stop();
		this.messageMenu.destroy();
		clearTimeout(this.typingTimer);
	}

	async logout() {
		try {
			await api.logout();
		} catch (error) {
			// The session is gone either way for this page.
		}
		this.destroy();
		this.onLoggedOut();
	}

	async checkSession() {
		try {
			await api.me();
		} catch (error) {
			if (error.status === 401) {
				this.destroy();
				this.onLoggedOut();
			}
		}
	}

	// The server keeps no receipts: remember those seen here, so that a
	// reload still shows blue ticks.
	loadReadBy() {
		try {
			const saved = JSON.parse(localStorage.getItem(this.readByKey) || "{}");
			for (const [userId, upTo] of Object.entries(saved)) this.readBy.set(Number(userId), Number(upTo) || 0);
		} catch (error) {
			// Storage may be unavailable or hold something else: start empty.
		}
	}

	saveReadBy() {
		try {
			localStorage.setItem(this.readByKey, JSON.stringify(Object.fromEntries(this.readBy)));
		} catch (error) {
			// Not essential.
		}
	}

	/** "(3) Palaver" while there are unread messages. */
	updateTitle() {
		let unread = 0;
		for (const entry of this.contacts.values()) unread += entry.unreadIds.size;
		document.title = unread ? `(${unread}) Palaver` : "Palaver";
	}

	// ---- skeleton ----------------------------------------------------------

	build() {
		this.banner = h("div", {class: "connection-banner", role: "status", "aria-live": "polite", hidden: true});
		this.searchInput = h("input", {id: "contact-search", type: "search", placeholder: "Search or start a new chat",
			autocomplete: "off", spellcheck: "false"});
		this.searchInput.addEventListener("input", () => {
			this.renderContacts();
			this.messageSearch.query(this.searchInput.value);
		});
		this.searchInput.addEventListener("keydown", (event) => {
			if (event.key === "ArrowDown") {
				const first = this.contactList.querySelector(".contact");
				if (first) { event.preventDefault(); first.focus(); }
			}
		});
		this.contactList = h("ul", {class: "contact-list", "aria-label": "Contacts"});
		this.contactList.addEventListener("keydown", (event) => this.onContactKey(event));
		this.contactsEmpty = h("p", {class: "contacts-empty", hidden: true});
		this.meAvatarSlot = h("span", {class: "me-avatar"}, avatar(this.me, "md"));
		this.meName = h("span", {class: "me-name", text: this.me.userName});
		this.meInfo = h("span", {class: "me-info", text: this.me.info || ""});
		this.sidebar = h("aside", {class: "sidebar", "aria-label": "Chats"},
			h("header", {class: "sidebar-header"},
				h("button", {type: "button", class: "me-button", "aria-label": "Profile and settings", title: "Profile and settings",
					onclick: () => this.openProfile()},
				this.meAvatarSlot,
				h("span", {class: "me-text"}, this.meName, this.meInfo)),
				h("button", {type: "button", class: "icon-button logout", onclick: () => this.logout(), text: "Log out"})),
			h("div", {class: "search"},
				h("label", {for: "contact-search", class: "visually-hidden", text: "Search contacts"}),
				this.searchInput),
			this.contactList,
			this.contactsEmpty,
			this.messageSearch.element);

		this.headerAvatar = h("span", {class: "header-avatar"});
		this.headerName = h("h2", {class: "conversation-name"});
		this.headerStatus = h("p", {class: "conversation-status", "aria-live": "polite"});
		this.header = h("header", {class: "conversation-header"},
			h("button", {type: "button", class: "icon-button back", "aria-label": "Back to chats", onclick: () => this.closeConversation(), text: "←"}),
			this.headerAvatar,
			h("div", {class: "conversation-title"}, this.headerName, this.headerStatus));
		this.historyStatus = h("p", {class: "history-status"});
		this.messageList = h("div", {class: "message-list"});
		this.messagesBox = h("div", {class: "messages", role: "log", "aria-live": "polite", "aria-label": "Messages", tabindex: "0"},
			this.historyStatus, this.messageList);
		this.messagesBox.addEventListener("scroll", () => this.onMessagesScroll(), {passive: true});
		this.textInput = h("textarea", {id: "composer-text", rows: "1", maxlength: String(MAX_TEXT), placeholder: "Type a message",
			autocomplete: "off", "aria-describedby": "composer-error"});
		this.textInput.addEventListener("keydown", (event) => {
			if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
				event.preventDefault();
				this.sendCurrent();
			}
		});
		this.textInput.addEventListener("input", () => this.onTyping());
		this.composerError = h("p", {class: "composer-error", id: "composer-error", role: "alert"});
		this.composer = h("form", {class: "composer", "aria-label": "Send a message"},
			h("label", {for: "composer-text", class: "visually-hidden", text: "Message"}),
			this.textInput,
			h("button", {type: "submit", class: "send", "aria-label": "Send", title: "Send (Enter)"},
				h("span", {"aria-hidden": "true", text: "➤"})),
			this.composerError);
		this.composer.addEventListener("submit", (event) => { event.preventDefault(); this.sendCurrent(); });
		this.conversationPane = h("div", {class: "conversation-pane", hidden: true}, this.header, this.messagesBox, this.composer);
		this.emptyState = h("div", {class: "empty-state"},
			h("img", {class: "empty-logo", src: "/assets/favicon.svg", alt: ""}),
			h("h2", {text: "Palaver"}),
			h("p", {text: "Pick a contact on the left to start chatting. Messages arrive live."}));
		this.conversation = h("section", {class: "conversation", "aria-label": "Conversation"}, this.emptyState, this.conversationPane);

		this.view = h("div", {class: "chat-app", "data-pane": "list"}, this.banner, this.sidebar, this.conversation);
		this.view.addEventListener("keydown", (event) => {
			if (event.key === "Escape" && this.openId !== null) {
				event.preventDefault();
				this.closeConversation();
			}
		});
		clear(this.root).append(this.view);
	}

	// ---- profile (profile.js) ----------------------------------------------

	openProfile() {
		if (!this.profile) {
			this.profile = new ProfilePanel({
				user: this.me,
				onUserChanged: (user) => this.showMe(user),
				onClose: () => this.closeProfile(),
				onLoggedOut: () => this.checkSession(),
			});
			this.sidebar.append(this.profile.element);
		}
		// A phone shows one pane at a time: the profile covers the list, so the list it must be.
		if (this.openId !== null && window.matchMedia("(max-width: 700px)").matches) this.closeConversation();
		this.profile.element.hidden = false;
		this.profile.open();
	}

	closeProfile() {
		this.profile.element.hidden = true;
		this.sidebar.querySelector(".me-button").focus();
	}

	/** The signed-in user changed: the header and the open profile show it. */
	showMe(user) {
		this.me = {...this.me, ...user};
		clear(this.meAvatarSlot).append(avatar(this.me, "md"));
		this.meName.textContent = this.me.userName;
		this.meInfo.textContent = this.me.info || "";
		if (this.profile) this.profile.showUser(this.me);
	}

	// ---- contacts ----------------------------------------------------------

	contact(userId) {
		return this.contacts.get(Number(userId));
	}

	addContact(user) {
		const id = Number(user.id);
		if (!id || id === Number(this.me.id)) return null;
		let entry = this.contacts.get(id);
		if (!entry) {
			entry = {user: {...user, id}, online: false, unreadIds: new Set(), last: null, typingUntil: 0};
			this.contacts.set(id, entry);
		} else {
			entry.user = {...entry.user, ...user, id};
		}
		return entry;
	}

	async refreshContacts() {
		try {
			const users = await api.contacts();
			for (const user of users || []) this.addContact(user);
		} catch (error) {
			if (error.status === 401) return this.checkSession();
			this.contactsEmpty.hidden = false;
			this.contactsEmpty.textContent = `Contacts could not be loaded: ${error.message}`;
			return;
		}
		this.renderContacts();
		if (this.openId !== null) this.renderHeader();
	}

	/** The newest message of each contact, for the list's previews and order. */
	async loadPreviews() {
		const queue = Array.from(this.contacts.keys()).slice(0, PREVIEW_CONTACTS);
		const worker = async () => {
			while (queue.length) {
				const id = queue.shift();
				try {
					const messages = await api.messages(id, {limit: 1});
					if (messages && messages.length) this.noteLast(messages[messages.length - 1]);
				} catch (error) {
					// A preview is a nicety.
				}
			}
		};
		await Promise.all([worker(), worker(), worker()]);
		this.renderContacts();
	}

	noteLast(message) {
		const otherId = this.otherId(message);
		const entry = this.contact(otherId);
		if (!entry) return;
		if (!entry.last || message.id >= entry.last.id) entry.last = message;
	}

	otherId(message) {
		return Number(message.fromUserId) === Number(this.me.id) ? Number(message.toUserId) : Number(message.fromUserId);
	}

	isTyping(entry) {
		return entry.typingUntil > Date.now();
	}

	sortedContacts() {
		const query = this.searchInput.value.trim().toLocaleLowerCase();
		const list = Array.from(this.contacts.values()).filter((entry) => !query
			|| entry.user.userName.toLocaleLowerCase().includes(query)
			|| (entry.user.info || "").toLocaleLowerCase().includes(query));
		list.sort((a, b) => {
			const la = a.last ? a.last.id : 0;
			const lb = b.last ? b.last.id : 0;
			if (la !== lb) return lb - la;
			return a.user.userName.localeCompare(b.user.userName);
		});
		return list;
	}

	renderContacts() {
		const focusedId = document.activeElement && document.activeElement.closest
			&& document.activeElement.closest(".contact") ? document.activeElement.dataset.userId : null;
		const entries = this.sortedContacts();
		clear(this.contactList);
		for (const entry of entries) this.contactList.append(h("li", null, this.renderContact(entry)));
		const query = this.searchInput.value.trim();
		this.contactsEmpty.hidden = entries.length > 0;
		this.contactsEmpty.textContent = query ? `No contact matches “${query}”.`
			: "Nobody else is here yet. Invite someone to register!";
		this.updateTitle();
		if (focusedId) {
			const again = this.contactList.querySelector(`.contact[data-user-id="${CSS.escape(focusedId)}"]`);
			if (again) again.focus();
		}
	}

	renderContact(entry) {
		const {user} = entry;
		const unread = entry.unreadIds.size;
		const typing = this.isTyping(entry);
		let preview;
		if (typing) preview = h("span", {class: "contact-preview typing", text: "typing…"});
		else if (entry.last) {
			const own = Number(entry.last.fromUserId) === Number(this.me.id);
			preview = h("span", {class: "contact-preview"},
				own ? this.ticks(entry.last) : null,
				own ? h("span", {class: "visually-hidden", text: "You: "}) : null,
				h("span", {class: "preview-text", text: entry.last.text}));
		} else preview = h("span", {class: "contact-preview info", text: user.info || ""});
		const about = typing ? "typing…" : entry.last ? `last message: ${entry.last.text.slice(0, 120)}` : user.info;
		const labelParts = [user.userName, entry.online ? "online" : null, unread ? `${unread} unread` : null, about];
		return h("button", {
			type: "button", class: `contact${unread ? " has-unread" : ""}`, "data-user-id": user.id,
			"aria-current": this.openId === user.id ? "true" : null,
			"aria-label": labelParts.filter(Boolean).join(", "),
			onclick: () => this.openConversation(user.id),
		},
		h("span", {class: "avatar-wrap"}, avatar(user, "md"),
			entry.online ? h("span", {class: "online-dot", title: "online"}) : null),
		h("span", {class: "contact-main"},
			h("span", {class: "contact-top"},
				h("span", {class: "contact-name", text: user.userName}),
				h("span", {class: "contact-time", text: entry.last ? formatListTime(messageTime(entry.last.timestamp)) : ""})),
			h("span", {class: "contact-bottom"},
				preview,
				unread ? h("span", {class: "unread-badge", text: unread > 99 ? "99+" : String(unread)}) : null)));
	}

	onContactKey(event) {
		if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
		const buttons = Array.from(this.contactList.querySelectorAll(".contact"));
		const index = buttons.indexOf(document.activeElement);
		if (index < 0) return;
		event.preventDefault();
		const next = index + (event.key === "ArrowDown" ? 1 : -1);
		if (next < 0) this.searchInput.focus();
		else if (next < buttons.length) buttons[next].focus();
	}

	// ---- conversation ------------------------------------------------------

	conversationOf(userId) {
		let conversation = this.conversations.get(userId);
		if (!conversation) {
			conversation = {messages: [], ids: new Set(), pending: [], loaded: false, loading: false, complete: false, loadingOlder: false, error: ""};
			this.conversations.set(userId, conversation);
		}
		return conversation;
	}

	async openConversation(userId) {
		userId = Number(userId);
		const entry = this.contact(userId);
		if (!entry) return;
		const switching = this.openId !== userId;
		this.openId = userId;
		this.view.dataset.pane = "conversation";
		this.emptyState.hidden = true;
		this.conversationPane.hidden = false;
		if (switching) {
			this.rows = new Map();
			this.messageList.replaceChildren();
			this.textInput.value = "";
			this.composerError.textContent = "";
		}
		this.renderHeader();
		const conversation = this.conversationOf(userId);
		this.renderMessages({toBottom: true});
		this.renderContacts();
		this.textInput.focus();
		if (!conversation.loaded && !conversation.loading) await this.loadLatest(userId);
		this.markRead(userId);
	}

	closeConversation() {
		const previous = this.openId;
		this.openId = null;
		this.view.dataset.pane = "list";
		this.emptyState.hidden = false;
		this.conversationPane.hidden = true;
		this.renderContacts();
		const button = previous !== null && this.contactList.querySelector(`.contact[data-user-id="${previous}"]`);
		if (button) button.focus();
		else this.searchInput.focus();
	}

	async loadLatest(userId) {
		const conversation = this.conversationOf(userId);
		conversation.loading = true;
		conversation.error = "";
		if (this.openId === userId) this.renderMessages({toBottom: true});
		try {
			const messages = await api.messages(userId, {limit: PAGE});
			// Live messages that arrived while this page was on its way were
			// inserted already; insert() drops the duplicates.
			for (const message of messages || []) this.insert(conversation, message);
			conversation.complete = (messages || []).length < PAGE;
			conversation.loaded = true;
			if (messages && messages.length) this.noteLast(messages[messages.length - 1]);
		} catch (error) {
			if (error.status === 401) return this.checkSession();
			conversation.error = `Messages could not be loaded: ${error.message}`;
		} finally {
			conversation.loading = false;
		}
		if (this.openId === userId) {
			this.renderMessages({toBottom: true});
			this.fillViewport(userId);
		}
		this.renderContacts();
	}

	/** Loads older pages until the box can scroll (or there is nothing older). */
	fillViewport(userId) {
		const conversation = this.conversationOf(userId);
		if (this.openId === userId && conversation.loaded && !conversation.complete
			&& this.messagesBox.scrollHeight <= this.messagesBox.clientHeight + 10) {
			this.loadOlder(userId);
		}
	}

	onMessagesScroll() {
		if (this.openId === null) return;
		if (this.messagesBox.scrollTop < 150) this.loadOlder(this.openId);
	}

	async loadOlder(userId) {
		const conversation = this.conversationOf(userId);
		if (!conversation.loaded || conversation.complete || conversation.loadingOlder || !conversation.messages.length) return;
		conversation.loadingOlder = true;
		this.renderHistoryStatus(conversation);
		const oldest = conversation.messages[0].id;
		let messages = [];
		try {
			messages = await api.messages(userId, {limit: PAGE, before: oldest}) || [];
			for (const message of messages) this.insert(conversation, message);
			conversation.complete = messages.length < PAGE;
		} catch (error) {
			conversation.error = `Older messages could not be loaded: ${error.message}`;
		} finally {
			conversation.loadingOlder = false;
		}
		if (this.openId === userId) {
			const box = this.messagesBox;
			const fromBottom = box.scrollHeight - box.scrollTop;
			this.renderMessages({keep: true});
			box.scrollTop = box.scrollHeight - fromBottom;
			if (messages.length) this.fillViewport(userId);
		}
	}

	insert(conversation, message) {
		const id = Number(message.id);
		if (!id || conversation.ids.has(id)) return false;
		conversation.ids.add(id);
		const list = conversation.messages;
		let index = list.length;
		while (index > 0 && list[index - 1].id > id) index--;
		list.splice(index, 0, {...message, id});
		return true;
	}

	renderHeader() {
		const entry = this.contact(this.openId);
		if (!entry) return;
		clear(this.headerAvatar).append(avatar(entry.user, "md"));
		this.headerName.textContent = entry.user.userName;
		let status = entry.user.info || "";
		this.headerStatus.classList.remove("typing", "online");
		if (this.isTyping(entry)) {
			status = "typing…";
			this.headerStatus.classList.add("typing");
		} else if (entry.online) {
			status = "online";
			this.headerStatus.classList.add("online");
		}
		this.headerStatus.textContent = status;
		this.conversation.setAttribute("aria-label", `Conversation with ${entry.user.userName}`);
	}

	renderHistoryStatus(conversation) {
		let text = "";
		if (conversation.error) text = conversation.error;
		else if (conversation.loading || conversation.loadingOlder) text = "Loading messages…";
		else if (conversation.loaded && conversation.complete) text = conversation.messages.length
			? "This is the beginning of your conversation." : "No messages yet. Say hello!";
		this.historyStatus.textContent = text;
		this.historyStatus.hidden = !text;
	}

	renderMessages({toBottom = false, keep = false} = {}) {
		if (this.openId === null) return;
		const conversation = this.conversationOf(this.openId);
		const box = this.messagesBox;
		const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
		this.renderHistoryStatus(conversation);
		// Rows are kept and reused (keyed by message id), so that the live
		// region announces only what is new and nothing flickers.
		const rows = new Map();
		const desired = [];
		let lastDay = null;
		for (const message of [...conversation.messages, ...conversation.pending]) {
			const ms = message.pending ? message.time : messageTime(message.timestamp);
			const day = dayKey(ms);
			if (day !== lastDay) {
				const key = `d${day}:${formatDay(ms)}`;
				const separator = this.rows.get(key)
					|| h("div", {class: "day-separator", role: "separator"}, h("span", {text: formatDay(ms)}));
				rows.set(key, separator);
				desired.push(separator);
				lastDay = day;
			}
			const key = message.pending ? `p${message.key}` : `m${message.id}`;
			const row = this.rowFor(this.rows.get(key), message, ms);
			rows.set(key, row);
			desired.push(row);
		}
		this.rows = rows;
		let cursor = this.messageList.firstChild;
		for (const node of desired) {
			if (node === cursor) {
				cursor = cursor.nextSibling;
				continue;
			}
			this.messageList.insertBefore(node, cursor);
		}
		while (cursor) {
			const next = cursor.nextSibling;
			cursor.remove();
			cursor = next;
		}
		if (toBottom || (!keep && atBottom)) box.scrollTop = box.scrollHeight;
	}

	/** The row for a message: the existing one when still right, else a new one. */
	rowFor(row, message, ms) {
		const state = this.rowState(message);
		if (row && row.dataset.state === state) return row;
		if (row && !message.pending) {
			// Only the ticks changed (read): update them in place.
			const ticks = row.querySelector(".ticks");
			if (ticks) ticks.replaceWith(this.ticks(message));
		} else {
			row = this.renderMessage(message, ms);
		}
		row.dataset.state = state;
		return row;
	}

	rowState(message) {
		if (message.pending) return message.failed ? "failed" : "sending";
		if (Number(message.fromUserId) !== Number(this.me.id)) return "theirs";
		return (this.readBy.get(Number(message.toUserId)) || 0) >= message.id ? "read" : "sent";
	}

	renderMessage(message, ms) {
		const own = message.pending || Number(message.fromUserId) === Number(this.me.id);
		const meta = h("span", {class: "meta"}, h("time", {text: formatTime(ms)}), own ? this.ticks(message) : null);
		const bubble = h("div", {class: "bubble"}, h("p", {class: "text", text: message.text}), meta);
		if (message.failed) {
			bubble.append(h("button", {type: "button", class: "retry", onclick: () => this.retry(message), text: "Not sent. Retry"}));
		}
		return this.messageMenu.decorate(h("div", {class: `message-row ${own ? "own" : "theirs"}${message.pending ? " pending" : ""}`,
			"data-id": message.pending ? null : message.id}, bubble), message);
	}

	ticks(message) {
		if (message.pending) {
			return h("span", {class: `ticks ${message.failed ? "failed" : "sending"}`, title: message.failed ? "Not sent" : "Sending",
				"aria-label": message.failed ? "Not sent" : "Sending", text: message.failed ? "!" : ""});
		}
		const read = (this.readBy.get(Number(message.toUserId)) || 0) >= message.id;
		return h("span", {class: `ticks ${read ? "read" : "sent"}`, title: read ? "Read" : "Sent", "aria-label": read ? "Read" : "Sent", text: read ? "✓✓" : "✓"});
	}

	// ---- sending -----------------------------------------------------------

	sendCurrent() {
		const text = this.textInput.value;
		if (this.openId === null || !text.trim()) return;
		if (text.length > MAX_TEXT) {
			this.composerError.textContent = `A message can have at most ${MAX_TEXT} characters.`;
			return;
		}
		this.textInput.value = "";
		this.composerError.textContent = "";
		this.lastTypingSent = 0;
		const pending = {pending: true, key: ++this.pendingSeq, toUserId: this.openId, fromUserId: this.me.id, text: text.trim(), time: Date.now(), failed: false};
		this.conversationOf(this.openId).pending.push(pending);
		this.renderMessages({toBottom: true});
		this.deliver(pending);
	}

	async deliver(pending) {
		const conversation = this.conversationOf(pending.toUserId);
		try {
			const message = await api.send(pending.toUserId, pending.text);
			conversation.pending = conversation.pending.filter((item) => item !== pending);
			this.onChatMessage(message);
		} catch (error) {
			if (error.status === 401) return this.checkSession();
			pending.failed = true;
			if (this.openId === pending.toUserId) this.composerError.textContent = error.message;
		}
		if (this.openId === pending.toUserId) this.renderMessages();
	}

	retry(pending) {
		pending.failed = false;
		if (this.openId === pending.toUserId) {
			this.composerError.textContent = "";
			this.renderMessages();
		}
		this.deliver(pending);
	}

	onTyping() {
		if (this.openId === null || !this.textInput.value) return;
		const now = Date.now();
		if (now - this.lastTypingSent < TYPING_SEND_EVERY_MS) return;
		if (this.socket.send({type: "typing", toUserId: this.openId})) this.lastTypingSent = now;
	}

	markRead(userId) {
		if (userId === null || document.hidden) return;
		const entry = this.contact(userId);
		if (!entry) return;
		const conversation = this.conversationOf(userId);
		let upTo = 0;
		for (const message of conversation.messages) {
			if (Number(message.fromUserId) === userId) upTo = Math.max(upTo, message.id);
		}
		if (entry.last && Number(entry.last.fromUserId) === userId) upTo = Math.max(upTo, entry.last.id);
		if (entry.unreadIds.size) {
			entry.unreadIds.clear();
			this.renderContacts();
		}
		if (upTo > (this.readSent.get(userId) || 0) && this.socket.send({type: "read", fromUserId: userId, upToId: upTo})) {
			this.readSent.set(userId, upTo);
		}
	}

	// ---- live frames -------------------------------------------------------

	onConnectionState(state, detail) {
		const banner = this.banner;
		banner.dataset.state = state;
		if (state === "online") {
			banner.hidden = true;
			banner.textContent = "";
			return;
		}
		if (state === "idle") return;
		// Without the connection nobody's presence or typing is known; the
		// server sends who is online again after the next "ready".
		let changed = false;
		for (const entry of this.contacts.values()) {
			if (entry.online || entry.typingUntil) changed = true;
			entry.online = false;
			entry.typingUntil = 0;
		}
		if (changed) {
			this.renderContacts();
			if (this.openId !== null) this.renderHeader();
		}
		banner.hidden = false;
		if (state === "connecting") banner.textContent = "Connecting…";
		else if (state === "waiting") {
			banner.replaceChildren(`Offline. Reconnecting in ${Math.max(1, Math.round(detail / 1000))} s… `,
				h("button", {type: "button", class: "link-button", onclick: () => this.socket.connectNow(), text: "Retry now"}));
		}
	}

	onFrame(frame) {
		switch (frame.type) {
		case "ready":
			// Back after a drop: with no id to catch up from, read everything
			// again over HTTP; otherwise the replay brings the messages and
			// only the contacts are read again.
			if (this.everReady && this.liveSeenId === 0) this.reloadAll();
			else if (this.everReady) this.refreshContacts();
			this.everReady = true;
			// The server is back: send again what could not be sent meanwhile.
			for (const conversation of this.conversations.values()) {
				for (const pending of conversation.pending) if (pending.failed) this.retry(pending);
			}
			if (this.openId !== null) this.markRead(this.openId);
			break;
		case "chatmsg":
			this.liveSeenId = Math.max(this.liveSeenId, Number(frame.id) || 0);
			this.onChatMessage(frame);
			break;
		case "usermsg":
			if (this.addContact({id: frame.id, userName: frame.userName, info: frame.info, image: frame.image})) this.renderContacts();
			break;
		case "userupdate": {
			const user = {id: Number(frame.id), userName: frame.userName, info: frame.info, image: frame.image};
			if (user.id === Number(this.me.id)) this.showMe(user);
			else if (this.contact(user.id)) {
				this.addContact(user);
				this.renderContacts();
				if (this.openId === user.id) this.renderHeader();
			}
			break;
		}
		case "presence": {
			const entry = this.contact(frame.userId);
			if (entry) {
				entry.online = Boolean(frame.online);
				this.renderContacts();
				if (this.openId === entry.user.id) this.renderHeader();
			}
			break;
		}
		case "typing": {
			const entry = this.contact(frame.fromUserId);
			if (entry) {
				entry.typingUntil = Date.now() + TYPING_SHOWN_MS;
				this.refreshTyping();
			}
			break;
		}
		case "receipt": {
			const readerId = Number(frame.readerId);
			const upTo = Number(frame.upToId) || 0;
			// Ticks are for direct chats read by the other side; the server
			// also tells our own connections of our reads, and of groups.
			if (frame.groupId != null || readerId === Number(this.me.id)) break;
			if (upTo > (this.readBy.get(readerId) || 0)) {
				this.readBy.set(readerId, upTo);
				this.saveReadBy();
				if (this.openId === readerId) this.renderMessages();
				this.renderContacts();
			}
			break;
		}
		case "msgupdate":
			this.messageMenu.onUpdate(frame);
			break;
		case "replayed":
			if (frame.complete === false) this.reloadAll();
			break;
		default:
			break;
		}
	}

	refreshTyping() {
		this.renderContacts();
		if (this.openId !== null) this.renderHeader();
		clearTimeout(this.typingTimer);
		const next = Math.min(...Array.from(this.contacts.values()).filter((entry) => this.isTyping(entry)).map((entry) => entry.typingUntil));
		if (Number.isFinite(next)) this.typingTimer = setTimeout(() => this.refreshTyping(), Math.max(50, next - Date.now() + 20));
	}

	onChatMessage(frame) {
		const message = {...frame, id: Number(frame.id)};
		delete message.type;
		if (!message.id) return;
		const otherId = this.otherId(message);
		let entry = this.contact(otherId);
		if (!entry) {
			// Someone we do not know yet (registered while we were away).
			entry = this.addContact({id: otherId, userName: message.fromUserName || `#${otherId}`, info: "", image: null});
			if (!entry) return;
			this.refreshContacts();
		}
		this.noteLast(message);
		const conversation = this.conversationOf(otherId);
		const own = Number(message.fromUserId) === Number(this.me.id);
		if (own) {
			// Our own message, coming back over the socket: it replaces its pending bubble.
			const index = conversation.pending.findIndex((item) => item.text === message.text);
			if (index >= 0 && !conversation.pending[index].failed) conversation.pending.splice(index, 1);
		} else {
			entry.typingUntil = 0;
		}
		let added = false;
		if (conversation.loaded || conversation.loading) added = this.insert(conversation, message);
		const visible = this.openId === otherId && !document.hidden;
		if (!own && !visible && message.id > (this.readSent.get(otherId) || 0)) entry.unreadIds.add(message.id);
		if (this.openId === otherId) {
			if (added || own) this.renderMessages();
			this.renderHeader();
			if (!own) this.markRead(otherId);
		}
		this.renderContacts();
	}

	async reloadAll() {
		await this.refreshContacts();
		for (const conversation of this.conversations.values()) {
			conversation.loaded = false;
			conversation.complete = false;
			conversation.messages = [];
			conversation.ids = new Set();
		}
		if (this.openId !== null) await this.loadLatest(this.openId);
		this.loadPreviews();
	}
}
