// The chat screen: the chat list on the left (GET /conversations: direct
// chats and groups, most recent first, then everyone else one can start a
// chat with), the open conversation on the right (one pane at a time on a
// phone), kept live over the WebSocket. Unread counts and read cursors are
// the server's (PROTOCOL.md "The chat list and read state"), so they survive
// a reload and agree between tabs and devices.
//
// Hooks for other modules: every message element is made by renderMessage(),
// every frame of the socket arrives in onFrame().
import {api} from "./api.js";
import {h, clear, avatar, colourClass} from "./dom.js";
import {dayKey, formatDay, formatListTime, formatTime, messageTime} from "./format.js";
import {LiveSocket} from "./socket.js";
import {MessageMenu} from "./messagemenu.js";
import {MessageSearch} from "./search.js";
import {ProfilePanel} from "./profile.js";
import {GroupInfoPanel, NewGroupPanel} from "./groups.js";
import {Attachments, previewText, sameAttachment} from "./attachments.js";

const PAGE = 50;
const CHAT_PAGE = 200;          // the most GET /conversations gives at once
const MAX_CHAT_PAGES = 5;
const TYPING_SHOWN_MS = 4000;
const TYPING_SEND_EVERY_MS = 2500;
const CHAT_REFRESH_DELAY_MS = 300;
const MAX_TEXT = 4096;
const PRESENCE_SUBSCRIBE_MAX = 256;  // ids one presence frame may name (PROTOCOL.md "Presence at scale")

/** A chat's key: "u<user id>" for a direct chat, "g<group id>" for a group. */
export function chatKey(kind, id) {
	return `${kind === "group" ? "g" : "u"}${Number(id)}`;
}

export class ChatView {
	constructor(root, me, {websocketUrl, onLoggedOut}) {
		this.root = root;
		this.me = me;
		this.onLoggedOut = onLoggedOut;
		this.users = new Map();         // userId -> {user, online}
		// key -> {key, kind, id, group, last, unread, readUpTo, activity, typing: Map(userId -> until)}
		this.chats = new Map();
		this.conversations = new Map(); // key -> {messages, ids:Set, pending, loaded, loading, complete, loadingOlder}
		this.openKey = null;
		// The highest message id received over the socket: ?since= on a
		// reconnect. Ids learnt over HTTP do not count, as a lower id could
		// still be on its way over the socket.
		this.liveSeenId = 0;
		this.readSent = new Map();      // key -> highest id we told the server we read
		this.readBy = new Map();        // userId -> highest id of ours they read (direct receipts)
		this.groupReadBy = new Map();   // groupId -> Map(readerId -> highest id read)
		this.readByKey = `palaver.readBy.${me.id}`;
		this.loadReadBy();
		this.lastTypingSent = 0;
		this.everReady = false;
		this.pendingSeq = 0;
		this.typingTimer = null;
		this.chatRefreshTimer = null;
		this.rows = new Map();          // rendered rows of the open conversation, by key
		this.socket = new LiveSocket({
			url: websocketUrl || null,
			lastSeenId: () => this.liveSeenId,
			onFrame: (frame) => this.onFrame(frame),
			onState: (state, detail) => this.onConnectionState(state, detail),
			onAuthFailed: () => this.checkSession(),
		});
		this.onVisibility = () => { if (!document.hidden && this.openKey) this.markRead(this.openKey); };
		this.messageMenu = new MessageMenu(this);
		this.messageSearch = new MessageSearch(this);
		this.attachments = new Attachments(this);
		this.build();
	}

	// ---- lifecycle ---------------------------------------------------------

	async start() {
		document.addEventListener("visibilitychange", this.onVisibility);
		this.socket.start();
		await Promise.all([this.refreshContacts(), this.refreshChats()]);
	}

	destroy() {
		document.removeEventListener("visibilitychange", this.onVisibility);
		this.socket.stop();
		this.messageMenu.destroy();
		this.attachments.destroy();
		clearTimeout(this.typingTimer);
		clearTimeout(this.chatRefreshTimer);
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

	// The server keeps one's own read cursors, not what the other side read:
	// remember the receipts seen here, so that a reload still shows blue ticks.
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
		for (const chat of this.chats.values()) unread += chat.unread;
		document.title = unread ? `(${unread}) Palaver` : "Palaver";
	}

	// ---- skeleton ----------------------------------------------------------

	build() {
		this.banner = h("div", {class: "connection-banner", role: "status", "aria-live": "polite", hidden: true});
		this.searchInput = h("input", {id: "contact-search", type: "search", placeholder: "Search or start a new chat",
			autocomplete: "off", spellcheck: "false"});
		this.searchInput.addEventListener("input", () => {
			this.renderChatList();
			this.messageSearch.query(this.searchInput.value);
		});
		this.searchInput.addEventListener("keydown", (event) => {
			if (event.key === "ArrowDown") {
				const first = this.chatList.querySelector(".contact");
				if (first) { event.preventDefault(); first.focus(); }
			}
		});
		this.chatList = h("ul", {class: "contact-list", "aria-label": "Chats"});
		this.chatList.addEventListener("keydown", (event) => this.onChatListKey(event));
		this.chatsEmpty = h("p", {class: "contacts-empty", hidden: true});
		this.meAvatarSlot = h("span", {class: "me-avatar"}, avatar(this.me, "md"));
		this.meName = h("span", {class: "me-name", text: this.me.userName});
		this.meInfo = h("span", {class: "me-info", text: this.me.info || ""});
		this.newGroupButton = h("button", {type: "button", class: "icon-button new-group", title: "New group", "aria-label": "New group",
			onclick: () => this.openNewGroup()});
		this.sidebar = h("aside", {class: "sidebar", "aria-label": "Chats"},
			h("header", {class: "sidebar-header"},
				h("button", {type: "button", class: "me-button", "aria-label": "Profile and settings", title: "Profile and settings",
					onclick: () => this.openProfile()},
				this.meAvatarSlot,
				h("span", {class: "me-text"}, this.meName, this.meInfo)),
				this.newGroupButton,
				h("button", {type: "button", class: "icon-button logout", onclick: () => this.logout(), text: "Log out"})),
			h("div", {class: "search"},
				h("label", {for: "contact-search", class: "visually-hidden", text: "Search contacts"}),
				this.searchInput),
			this.chatList,
			this.chatsEmpty,
			this.messageSearch.element);

		this.headerAvatar = h("span", {class: "header-avatar"});
		this.headerName = h("h2", {class: "conversation-name"});
		this.headerStatus = h("p", {class: "conversation-status", "aria-live": "polite"});
		// A group's title opens its info panel (as a button then).
		this.headerTitle = h("div", {class: "conversation-title", onclick: () => this.openGroupInfo()}, this.headerName, this.headerStatus);
		this.headerTitle.addEventListener("keydown", (event) => {
			if ((event.key === "Enter" || event.key === " ") && this.headerTitle.getAttribute("role") === "button") {
				event.preventDefault();
				this.openGroupInfo();
			}
		});
		this.header = h("header", {class: "conversation-header"},
			h("button", {type: "button", class: "icon-button back", "aria-label": "Back to chats", onclick: () => this.closeConversation(), text: "←"}),
			this.headerAvatar,
			this.headerTitle);
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
			this.attachments.composerButton(),
			this.textInput,
			h("button", {type: "submit", class: "send", "aria-label": "Send", title: "Send (Enter)"},
				h("span", {"aria-hidden": "true", text: "➤"})),
			this.composerError);
		this.composer.addEventListener("submit", (event) => { event.preventDefault(); this.sendCurrent(); });
		this.conversationPane = h("div", {class: "conversation-pane", hidden: true}, this.header, this.messagesBox, this.composer);
		this.attachments.watchDrops(this.conversationPane);
		this.emptyState = h("div", {class: "empty-state"},
			h("img", {class: "empty-logo", src: "/assets/favicon.svg", alt: ""}),
			h("h2", {text: "Palaver"}),
			h("p", {text: "Pick a chat on the left, or start a group with “New group”. Messages arrive live."}));
		this.conversation = h("section", {class: "conversation", "aria-label": "Conversation"}, this.emptyState, this.conversationPane);

		this.view = h("div", {class: "chat-app", "data-pane": "list"}, this.banner, this.sidebar, this.conversation);
		this.view.addEventListener("keydown", (event) => {
			if (event.key === "Escape" && this.openKey !== null) {
				event.preventDefault();
				this.closeConversation();
			}
		});
		clear(this.root).append(this.view);
	}

	/** A phone shows one pane at a time: a panel over the list needs the list shown. */
	showListPane() {
		if (this.openKey !== null && window.matchMedia("(max-width: 700px)").matches) this.closeConversation();
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
		this.showListPane();
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

	// ---- groups (groups.js) ------------------------------------------------

	openNewGroup() {
		if (!this.newGroup) {
			this.newGroup = new NewGroupPanel({
				users: () => this.knownUsers(),
				onCreated: (group) => {
					this.closeNewGroup();
					this.groupChanged(group, {created: true});
					this.openConversation(chatKey("group", group.id));
				},
				onClose: () => this.closeNewGroup(),
			});
			this.sidebar.append(this.newGroup.element);
		}
		this.showListPane();
		this.newGroup.element.hidden = false;
		this.newGroup.open();
	}

	closeNewGroup() {
		this.newGroup.element.hidden = true;
		this.newGroupButton.focus();
	}

	openGroupInfo() {
		const chat = this.chat(this.openKey);
		if (!chat || chat.kind !== "group" || !chat.group) return;
		if (!this.groupInfo) {
			this.groupInfo = new GroupInfoPanel({
				me: this.me,
				users: () => this.knownUsers(),
				userOf: (userId) => this.userOf(userId),
				onGroup: (group) => this.groupChanged(group),
				onLeft: (groupId) => this.groupGone(groupId),
				onClose: () => this.closeGroupInfo(),
			});
			this.conversation.append(this.groupInfo.element);
		}
		this.groupInfo.element.hidden = false;
		this.groupInfo.open(chat.group);
	}

	closeGroupInfo() {
		if (!this.groupInfo || this.groupInfo.element.hidden) return;
		this.groupInfo.element.hidden = true;
		if (this.openKey !== null) this.headerTitle.focus();
	}

	/** A group as the server sent it (an answer or a `group` frame): shown wherever it appears. */
	groupChanged(group, {created = false} = {}) {
		const members = group.members || [];
		if (!members.some((member) => Number(member.userId) === Number(this.me.id))) {
			this.groupGone(group.id);
			return;
		}
		const known = this.chats.has(chatKey("group", group.id));
		const chat = this.ensureChat("group", group.id);
		chat.group = group;
		// A group one just joined is the newest activity (the server orders it by the joining).
		if (!known || created) chat.activity = Math.max(chat.activity, this.newestActivity() + 0.5);
		this.renderChatList();
		if (this.openKey === chat.key) {
			this.renderHeader();
			this.renderMessages();
		}
		if (this.groupInfo && !this.groupInfo.element.hidden && this.openKey === chat.key) this.groupInfo.show(group);
	}

	/** One left a group, was removed, or it was deleted: it leaves the list. */
	groupGone(groupId) {
		const key = chatKey("group", groupId);
		if (this.openKey === key) {
			this.closeGroupInfo();
			this.closeConversation();
		}
		this.chats.delete(key);
		this.conversations.delete(key);
		this.renderChatList();
	}

	newestActivity() {
		let newest = this.liveSeenId;
		for (const chat of this.chats.values()) newest = Math.max(newest, chat.activity);
		return newest;
	}

	// ---- users and chats ---------------------------------------------------

	userOf(userId) {
		const entry = this.users.get(Number(userId));
		if (entry) return entry.user;
		if (Number(userId) === Number(this.me.id)) return this.me;
		return null;
	}

	userName(userId, fallback) {
		const user = this.userOf(userId);
		return user ? user.userName : (fallback || `#${userId}`);
	}

	/** Everyone else, by name: whom a group can have. */
	knownUsers() {
		return Array.from(this.users.values(), (entry) => entry.user).sort((a, b) => a.userName.localeCompare(b.userName));
	}

	/** Adds or updates a user, and the direct chat one can start with them. */
	addUser(user) {
		const id = Number(user.id);
		if (!id || id === Number(this.me.id)) return null;
		let entry = this.users.get(id);
		if (!entry) {
			entry = {user: {...user, id}, online: false};
			this.users.set(id, entry);
		} else {
			entry.user = {...entry.user, ...user, id};
		}
		this.ensureChat("direct", id);
		return entry;
	}

	chat(key) {
		return key === null ? undefined : this.chats.get(key);
	}

	ensureChat(kind, id) {
		const key = chatKey(kind, id);
		let chat = this.chats.get(key);
		if (!chat) {
			chat = {key, kind, id: Number(id), group: null, last: null, unread: 0, readUpTo: 0, activity: 0, typing: new Map()};
			this.chats.set(key, chat);
		}
		return chat;
	}

	/** The chat a message belongs to, from this user's side. */
	keyOf(message) {
		if (message.groupId !== null && message.groupId !== undefined) return chatKey("group", message.groupId);
		return chatKey("direct", this.otherId(message));
	}

	otherId(message) {
		return Number(message.fromUserId) === Number(this.me.id) ? Number(message.toUserId) : Number(message.fromUserId);
	}

	chatName(chat) {
		if (chat.kind === "group") return chat.group ? chat.group.name : "Group";
		return this.userName(chat.id);
	}

	chatAvatar(chat) {
		if (chat.kind === "group") return avatar({userName: chat.group ? chat.group.name : "?", image: null}, "md");
		return avatar(this.userOf(chat.id), "md");
	}

	isOnline(chat) {
		const entry = chat.kind === "direct" ? this.users.get(chat.id) : null;
		return Boolean(entry && entry.online);
	}

	/** The ids of the chat's members typing now. */
	typingIds(chat) {
		const now = Date.now();
		return Array.from(chat.typing).filter(([, until]) => until > now).map(([userId]) => userId);
	}

	typingText(chat) {
		const ids = this.typingIds(chat);
		if (!ids.length) return "";
		if (chat.kind === "direct") return "typing…";
		const names = ids.map((userId) => this.userName(userId));
		return names.length === 1 ? `${names[0]} is typing…` : `${names.join(", ")} are typing…`;
	}

	noteLast(chat, message) {
		if (!chat.last || message.id >= chat.last.id) chat.last = message;
		chat.activity = Math.max(chat.activity, message.id);
	}

	async refreshContacts() {
		try {
			const users = await api.contacts();
			for (const user of users || []) this.addUser(user);
		} catch (error) {
			if (error.status === 401) return this.checkSession();
			this.chatsEmpty.hidden = false;
			this.chatsEmpty.textContent = `Contacts could not be loaded: ${error.message}`;
			return;
		}
		this.subscribePresence();
		this.renderChatList();
		if (this.openKey !== null) this.renderHeader();
	}

	/** The chat list of the server: last messages, unread counts, read cursors, groups. */
	async refreshChats() {
		clearTimeout(this.chatRefreshTimer);
		// Only groups known before the request can have been left meanwhile.
		const knownGroups = Array.from(this.chats.values()).filter((chat) => chat.kind === "group").map((chat) => chat.id);
		const items = [];
		try {
			for (let page = 0; page < MAX_CHAT_PAGES; page++) {
				const last = items.length ? items[items.length - 1].lastMessage : null;
				if (page > 0 && !last) break;
				const batch = await api.conversations({limit: CHAT_PAGE, before: last ? last.id : undefined}) || [];
				items.push(...batch);
				if (batch.length < CHAT_PAGE) break;
			}
		} catch (error) {
			if (error.status === 401) return this.checkSession();
			this.chatsEmpty.hidden = false;
			this.chatsEmpty.textContent = `Chats could not be loaded: ${error.message}`;
			return;
		}
		const groups = new Set();
		// Newest first: a group without messages sits just above the next older chat.
		let older = 0;
		for (let index = items.length - 1; index >= 0; index--) {
			const item = items[index];
			const activity = item.lastMessage ? Number(item.lastMessage.id) : older + 0.5;
			older = activity;
			let chat;
			if (item.kind === "group") {
				chat = this.ensureChat("group", item.groupId);
				chat.group = item.group;
				groups.add(chat.key);
			} else {
				if (item.user) this.addUser(item.user);
				chat = this.ensureChat("direct", item.userId);
			}
			const last = item.lastMessage ? {...item.lastMessage, id: Number(item.lastMessage.id)} : null;
			// A live message newer than this answer keeps its count.
			if (!chat.last || !last || last.id >= chat.last.id) {
				chat.unread = Number(item.unread) || 0;
				if (last) chat.last = last;
			}
			chat.readUpTo = Math.max(chat.readUpTo, Number(item.readUpTo) || 0);
			chat.activity = Math.max(chat.activity, activity);
		}
		// Groups one left or was removed from meanwhile.
		if (items.length < CHAT_PAGE) {
			for (const groupId of knownGroups) if (!groups.has(chatKey("group", groupId))) this.groupGone(groupId);
		}
		this.renderChatList();
		if (this.openKey !== null) this.renderHeader();
	}

	/** Reads the chat list again soon (several reasons at once make one request). */
	scheduleChatRefresh() {
		clearTimeout(this.chatRefreshTimer);
		this.chatRefreshTimer = setTimeout(() => this.refreshChats(), CHAT_REFRESH_DELAY_MS);
	}

	/** Chats with something in them, newest first; then everyone else, by name. */
	sortedChats() {
		const query = this.searchInput.value.trim().toLocaleLowerCase();
		const matches = (chat) => {
			if (!query) return true;
			if (this.chatName(chat).toLocaleLowerCase().includes(query)) return true;
			const user = chat.kind === "direct" ? this.userOf(chat.id) : null;
			return Boolean(user && (user.info || "").toLocaleLowerCase().includes(query));
		};
		const active = [];
		const others = [];
		for (const chat of this.chats.values()) {
			if (!matches(chat)) continue;
			if (chat.kind === "group" || chat.last) active.push(chat);
			else if (this.users.has(chat.id)) others.push(chat);
		}
		active.sort((a, b) => b.activity - a.activity);
		others.sort((a, b) => this.chatName(a).localeCompare(this.chatName(b)));
		return {active, others};
	}

	renderChatList() {
		const focused = document.activeElement && document.activeElement.closest
			&& document.activeElement.closest(".contact") ? document.activeElement.dataset.chat : null;
		const {active, others} = this.sortedChats();
		clear(this.chatList);
		for (const chat of active) this.chatList.append(h("li", null, this.renderChatRow(chat)));
		if (others.length) {
			if (active.length) this.chatList.append(h("li", {class: "list-heading", role: "presentation", text: "Contacts"}));
			for (const chat of others) this.chatList.append(h("li", null, this.renderChatRow(chat)));
		}
		const query = this.searchInput.value.trim();
		this.chatsEmpty.hidden = active.length + others.length > 0;
		this.chatsEmpty.textContent = query ? `No chat or contact matches “${query}”.`
			: "Nobody else is here yet. Invite someone to register!";
		this.updateTitle();
		if (focused) {
			const again = this.chatList.querySelector(`.contact[data-chat="${CSS.escape(focused)}"]`);
			if (again) again.focus();
		}
	}

	renderChatRow(chat) {
		const name = this.chatName(chat);
		const unread = chat.unread;
		const typing = this.typingText(chat);
		const online = this.isOnline(chat);
		const last = chat.last;
		let preview;
		let about;
		if (typing) {
			preview = h("span", {class: "contact-preview typing", text: typing});
			about = typing;
		} else if (last) {
			const own = Number(last.fromUserId) === Number(this.me.id);
			const sender = !own && chat.kind === "group" ? `${this.userName(last.fromUserId, last.fromUserName)}: ` : "";
			preview = h("span", {class: "contact-preview"},
				own ? this.ticks(last) : null,
				own ? h("span", {class: "visually-hidden", text: "You: "}) : null,
				h("span", {class: "preview-text"}, sender ? h("span", {class: "preview-sender", text: sender}) : null,
					last.deleted ? h("em", {text: "This message was deleted"}) : previewText(last)));
			about = `last message: ${sender}${last.deleted ? "deleted" : previewText(last).slice(0, 120)}`;
		} else if (chat.kind === "group") {
			preview = h("span", {class: "contact-preview info", text: "No messages yet"});
			about = "group, no messages yet";
		} else {
			const info = (this.userOf(chat.id) || {}).info || "";
			preview = h("span", {class: "contact-preview info", text: info});
			about = info;
		}
		const labelParts = [name, chat.kind === "group" ? "group" : null, online ? "online" : null, unread ? `${unread} unread` : null, about];
		return h("button", {
			type: "button", class: `contact${unread ? " has-unread" : ""}`, "data-chat": chat.key,
			"aria-current": this.openKey === chat.key ? "true" : null,
			"aria-label": labelParts.filter(Boolean).join(", "),
			onclick: () => this.openConversation(chat.key),
		},
		h("span", {class: "avatar-wrap"}, this.chatAvatar(chat),
			online ? h("span", {class: "online-dot", title: "online"}) : null),
		h("span", {class: "contact-main"},
			h("span", {class: "contact-top"},
				h("span", {class: "contact-name", text: name}),
				h("span", {class: "contact-time", text: last ? formatListTime(messageTime(last.timestamp)) : ""})),
			h("span", {class: "contact-bottom"},
				preview,
				unread ? h("span", {class: "unread-badge", text: unread > 99 ? "99+" : String(unread)}) : null)));
	}

	onChatListKey(event) {
		if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
		const buttons = Array.from(this.chatList.querySelectorAll(".contact"));
		const index = buttons.indexOf(document.activeElement);
		if (index < 0) return;
		event.preventDefault();
		const next = index + (event.key === "ArrowDown" ? 1 : -1);
		if (next < 0) this.searchInput.focus();
		else if (next < buttons.length) buttons[next].focus();
	}

	// ---- conversation ------------------------------------------------------

	conversationOf(key) {
		let conversation = this.conversations.get(key);
		if (!conversation) {
			conversation = {messages: [], ids: new Set(), pending: [], loaded: false, loading: false, complete: false, loadingOlder: false, error: ""};
			this.conversations.set(key, conversation);
		}
		return conversation;
	}

	async openConversation(key) {
		const chat = this.chat(key);
		if (!chat) return;
		const switching = this.openKey !== key;
		if (switching) this.closeGroupInfo();
		this.openKey = key;
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
		const conversation = this.conversationOf(key);
		this.renderMessages({toBottom: true});
		this.renderChatList();
		this.textInput.focus();
		if (!conversation.loaded && !conversation.loading) await this.loadLatest(key);
		this.markRead(key);
	}

	closeConversation() {
		const previous = this.openKey;
		this.closeGroupInfo();
		this.openKey = null;
		this.view.dataset.pane = "list";
		this.emptyState.hidden = false;
		this.conversationPane.hidden = true;
		this.renderChatList();
		const button = previous !== null && this.chatList.querySelector(`.contact[data-chat="${previous}"]`);
		if (button) button.focus();
		else this.searchInput.focus();
	}

	/** A page of the chat's history (newest `limit` before `before`), oldest first. */
	fetchPage(chat, page) {
		return chat.kind === "group" ? api.groupMessages(chat.id, page) : api.messages(chat.id, page);
	}

	async loadLatest(key) {
		const chat = this.chat(key);
		if (!chat) return;
		const conversation = this.conversationOf(key);
		conversation.loading = true;
		conversation.error = "";
		if (this.openKey === key) this.renderMessages({toBottom: true});
		try {
			const messages = await this.fetchPage(chat, {limit: PAGE});
			// Live messages that arrived while this page was on its way were
			// inserted already; insert() drops the duplicates.
			for (const message of messages || []) this.insert(conversation, message);
			conversation.complete = (messages || []).length < PAGE;
			conversation.loaded = true;
			if (messages && messages.length) this.noteLast(chat, {...messages[messages.length - 1], id: Number(messages[messages.length - 1].id)});
		} catch (error) {
			if (error.status === 401) return this.checkSession();
			conversation.error = `Messages could not be loaded: ${error.message}`;
		} finally {
			conversation.loading = false;
		}
		if (this.openKey === key) {
			this.renderMessages({toBottom: true});
			this.fillViewport(key);
		}
		this.renderChatList();
	}

	/** Loads older pages until the box can scroll (or there is nothing older). */
	fillViewport(key) {
		const conversation = this.conversationOf(key);
		if (this.openKey === key && conversation.loaded && !conversation.complete
			&& this.messagesBox.scrollHeight <= this.messagesBox.clientHeight + 10) {
			this.loadOlder(key);
		}
	}

	onMessagesScroll() {
		if (this.openKey === null) return;
		if (this.messagesBox.scrollTop < 150) this.loadOlder(this.openKey);
	}

	async loadOlder(key) {
		const chat = this.chat(key);
		const conversation = this.conversationOf(key);
		if (!chat || !conversation.loaded || conversation.complete || conversation.loadingOlder || !conversation.messages.length) return;
		conversation.loadingOlder = true;
		this.renderHistoryStatus(conversation);
		const oldest = conversation.messages[0].id;
		let messages = [];
		try {
			messages = await this.fetchPage(chat, {limit: PAGE, before: oldest}) || [];
			for (const message of messages) this.insert(conversation, message);
			conversation.complete = messages.length < PAGE;
		} catch (error) {
			conversation.error = `Older messages could not be loaded: ${error.message}`;
		} finally {
			conversation.loadingOlder = false;
		}
		if (this.openKey === key) {
			const box = this.messagesBox;
			const fromBottom = box.scrollHeight - box.scrollTop;
			this.renderMessages({keep: true});
			box.scrollTop = box.scrollHeight - fromBottom;
			if (messages.length) this.fillViewport(key);
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
		const chat = this.chat(this.openKey);
		if (!chat) return;
		clear(this.headerAvatar).append(this.chatAvatar(chat));
		const name = this.chatName(chat);
		this.headerName.textContent = name;
		const typing = this.typingText(chat);
		let status;
		this.headerStatus.classList.remove("typing", "online");
		if (typing) {
			status = typing;
			this.headerStatus.classList.add("typing");
		} else if (chat.kind === "group") {
			status = this.memberNames(chat).join(", ");
		} else if (this.isOnline(chat)) {
			status = "online";
			this.headerStatus.classList.add("online");
		} else {
			status = (this.userOf(chat.id) || {}).info || "";
		}
		this.headerStatus.textContent = status;
		const group = chat.kind === "group";
		for (const [attribute, value] of [["role", "button"], ["tabindex", "0"], ["title", "Group info"], ["aria-label", `Group info: ${name}`]]) {
			if (group) this.headerTitle.setAttribute(attribute, value);
			else this.headerTitle.removeAttribute(attribute);
		}
		this.conversation.setAttribute("aria-label", group ? `Group ${name}` : `Conversation with ${name}`);
	}

	/** "Ana, Ben, You": a group's members for its header. */
	memberNames(chat) {
		const members = chat.group ? chat.group.members || [] : [];
		const names = members.filter((member) => Number(member.userId) !== Number(this.me.id))
			.map((member) => this.userName(member.userId)).sort((a, b) => a.localeCompare(b));
		return [...names, "You"];
	}

	renderHistoryStatus(conversation) {
		let text = "";
		// A member sees a group's messages from their joining on (PROTOCOL.md "Groups").
		const beginning = this.openKey !== null && this.openKey.startsWith("g")
			? "You see the messages from when you joined the group." : "This is the beginning of your conversation.";
		if (conversation.error) text = conversation.error;
		else if (conversation.loading || conversation.loadingOlder) text = "Loading messages…";
		else if (conversation.loaded && conversation.complete) text = conversation.messages.length ? beginning : "No messages yet. Say hello!";
		this.historyStatus.textContent = text;
		this.historyStatus.hidden = !text;
	}

	renderMessages({toBottom = false, keep = false} = {}) {
		if (this.openKey === null) return;
		const conversation = this.conversationOf(this.openKey);
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
		return this.isRead(message) ? "read" : "sent";
	}

	/** Whether the other side read one's message: in a group, every other member. */
	isRead(message) {
		if (message.groupId === null || message.groupId === undefined) {
			return (this.readBy.get(Number(message.toUserId)) || 0) >= message.id;
		}
		const chat = this.chat(chatKey("group", message.groupId));
		const readers = this.groupReadBy.get(Number(message.groupId));
		const others = chat && chat.group ? chat.group.members.filter((member) => Number(member.userId) !== Number(this.me.id)) : [];
		return Boolean(readers) && others.length > 0 && others.every((member) => (readers.get(Number(member.userId)) || 0) >= message.id);
	}

	/**
	 * The element of one message (a row with its bubble): the one place a
	 * message is drawn, for modules that add to it (message.pending: not
	 * stored yet; else a message object of PROTOCOL.md).
	 */
	renderMessage(message, ms) {
		const own = message.pending || Number(message.fromUserId) === Number(this.me.id);
		const inGroup = message.groupId !== null && message.groupId !== undefined;
		const meta = h("span", {class: "meta"}, h("time", {text: formatTime(ms)}), own ? this.ticks(message) : null);
		let sender = null;
		if (inGroup && !own) {
			const name = this.userName(message.fromUserId, message.fromUserName);
			sender = h("span", {class: `sender-name ${colourClass(name).replace("avatar-", "sender-")}`, text: name});
		}
		const bubble = h("div", {class: "bubble"}, sender, h("p", {class: "text", text: message.text}), meta);
		if (message.failed) {
			bubble.append(h("button", {type: "button", class: "retry", onclick: () => this.retry(message), text: "Not sent. Retry"}));
		}
		const row = h("div", {class: `message-row ${own ? "own" : "theirs"}${message.pending ? " pending" : ""}`,
			"data-id": message.pending ? null : message.id}, bubble);
		return this.messageMenu.decorate(this.attachments.decorate(row, message), message);
	}

	ticks(message) {
		if (message.pending) {
			return h("span", {class: `ticks ${message.failed ? "failed" : "sending"}`, title: message.failed ? "Not sent" : "Sending",
				"aria-label": message.failed ? "Not sent" : "Sending", text: message.failed ? "!" : ""});
		}
		const read = this.isRead(message);
		return h("span", {class: `ticks ${read ? "read" : "sent"}`, title: read ? "Read" : "Sent", "aria-label": read ? "Read" : "Sent", text: read ? "✓✓" : "✓"});
	}

	// ---- sending -----------------------------------------------------------

	sendCurrent() {
		const text = this.textInput.value;
		const chat = this.chat(this.openKey);
		if (!chat || !text.trim()) return;
		if (text.length > MAX_TEXT) {
			this.composerError.textContent = `A message can have at most ${MAX_TEXT} characters.`;
			return;
		}
		this.textInput.value = "";
		this.composerError.textContent = "";
		this.lastTypingSent = 0;
		const pending = {pending: true, key: ++this.pendingSeq, chatKey: chat.key, fromUserId: this.me.id,
			groupId: chat.kind === "group" ? chat.id : null, text: text.trim(), time: Date.now(), failed: false};
		this.conversationOf(chat.key).pending.push(pending);
		this.renderMessages({toBottom: true});
		this.deliver(pending);
	}

	async deliver(pending) {
		const chat = this.chat(pending.chatKey);
		if (!chat) return;
		const conversation = this.conversationOf(pending.chatKey);
		if (!(await this.attachments.uploaded(pending))) {
			if (this.openKey === pending.chatKey) this.renderMessages();
			return;
		}
		try {
			const message = chat.kind === "group" ? await api.sendToGroup(chat.id, pending.text, pending.attachmentId)
				: await api.send(chat.id, pending.text, pending.attachmentId);
			conversation.pending = conversation.pending.filter((item) => item !== pending);
			this.onMessage(message);
		} catch (error) {
			if (error.status === 401) return this.checkSession();
			pending.failed = true;
			if (this.openKey === pending.chatKey) this.composerError.textContent = error.message;
		}
		if (this.openKey === pending.chatKey) this.renderMessages();
	}

	retry(pending) {
		pending.failed = false;
		if (this.openKey === pending.chatKey) {
			this.composerError.textContent = "";
			this.renderMessages();
		}
		this.deliver(pending);
	}

	onTyping() {
		const chat = this.chat(this.openKey);
		if (!chat || !this.textInput.value) return;
		const now = Date.now();
		if (now - this.lastTypingSent < TYPING_SEND_EVERY_MS) return;
		const frame = chat.kind === "group" ? {type: "typing", groupId: chat.id} : {type: "typing", toUserId: chat.id};
		if (this.socket.send(frame)) this.lastTypingSent = now;
	}

	/**
	 * The server sends presence only of users who share a chat with this one
	 * ([ws] presence_scope = conversations): the contacts shown (at most 256)
	 * are asked for as well. Each frame replaces the last; sent again after
	 * every "ready" and when the contacts change.
	 */
	subscribePresence() {
		const ids = [];
		for (const userId of this.users.keys()) {
			if (ids.length >= PRESENCE_SUBSCRIBE_MAX) break;
			if (Number(userId) !== Number(this.me.id)) ids.push(Number(userId));
		}
		this.socket.send({type: "presence", subscribe: ids});
	}

	/** The chat is on screen: its badge clears, and the server stores how far it was read. */
	markRead(key) {
		const chat = this.chat(key);
		if (!chat || document.hidden) return;
		const theirs = (message) => Number(message.fromUserId) !== Number(this.me.id);
		let upTo = 0;
		for (const message of this.conversationOf(key).messages) {
			if (theirs(message)) upTo = Math.max(upTo, message.id);
		}
		if (chat.last && theirs(chat.last)) upTo = Math.max(upTo, chat.last.id);
		if (chat.unread) {
			chat.unread = 0;
			this.renderChatList();
		}
		if (upTo <= Math.max(chat.readUpTo, this.readSent.get(key) || 0)) return;
		this.readSent.set(key, upTo);
		const frame = chat.kind === "group" ? {type: "read", groupId: chat.id, upToId: upTo} : {type: "read", fromUserId: chat.id, upToId: upTo};
		if (this.socket.send(frame)) return;
		// Offline: over HTTP, which stores the cursor just as well.
		const stored = chat.kind === "group" ? api.readGroup(chat.id, upTo) : api.readUser(chat.id, upTo);
		stored.catch(() => this.readSent.delete(key));
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
		for (const entry of this.users.values()) {
			if (entry.online) changed = true;
			entry.online = false;
		}
		for (const chat of this.chats.values()) {
			if (chat.typing.size) changed = true;
			chat.typing.clear();
		}
		if (changed) {
			this.renderChatList();
			if (this.openKey !== null) this.renderHeader();
		}
		banner.hidden = false;
		if (state === "connecting") banner.textContent = "Connecting…";
		else if (state === "waiting") {
			banner.replaceChildren(`Offline. Reconnecting in ${Math.max(1, Math.round(detail / 1000))} s… `,
				h("button", {type: "button", class: "link-button", onclick: () => this.socket.connectNow(), text: "Retry now"}));
		}
	}

	/** Every frame of the socket arrives here (PROTOCOL.md "WebSocket", Part 2). */
	onFrame(frame) {
		switch (frame.type) {
		case "ready":
			// Back after a drop: with no id to catch up from, read everything
			// again over HTTP; otherwise the replay brings the messages and
			// the contacts and chat list (unread counts) are read again.
			if (this.everReady && this.liveSeenId === 0) this.reloadAll();
			else if (this.everReady) {
				this.refreshContacts();
				this.scheduleChatRefresh();
			}
			this.everReady = true;
			this.subscribePresence();
			// The server is back: send again what could not be sent meanwhile.
			for (const conversation of this.conversations.values()) {
				for (const pending of conversation.pending) if (pending.failed) this.retry(pending);
			}
			if (this.openKey !== null) this.markRead(this.openKey);
			break;
		case "chatmsg":
		case "groupmsg":
			this.liveSeenId = Math.max(this.liveSeenId, Number(frame.id) || 0);
			this.onMessage(frame);
			break;
		case "usermsg":
			if (this.addUser({id: frame.id, userName: frame.userName, info: frame.info, image: frame.image})) {
				this.subscribePresence();
				this.renderChatList();
			}
			break;
		case "userupdate": {
			const user = {id: Number(frame.id), userName: frame.userName, info: frame.info, image: frame.image};
			if (user.id === Number(this.me.id)) this.showMe(user);
			else if (this.users.has(user.id)) {
				this.addUser(user);
				this.renderChatList();
				if (this.openKey !== null) this.renderHeader();
			}
			break;
		}
		case "presence": {
			const entry = this.users.get(Number(frame.userId));
			if (entry) {
				entry.online = Boolean(frame.online);
				this.renderChatList();
				if (this.openKey === chatKey("direct", frame.userId)) this.renderHeader();
			}
			break;
		}
		case "typing": {
			const key = frame.groupId !== null && frame.groupId !== undefined
				? chatKey("group", frame.groupId) : chatKey("direct", frame.fromUserId);
			const chat = this.chat(key);
			if (chat) {
				chat.typing.set(Number(frame.fromUserId), Date.now() + TYPING_SHOWN_MS);
				this.refreshTyping();
			}
			break;
		}
		case "receipt":
			this.onReceipt(frame);
			break;
		case "group":
			if (frame.group) this.groupChanged(frame.group);
			break;
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

	onReceipt(frame) {
		const readerId = Number(frame.readerId);
		const upTo = Number(frame.upToId) || 0;
		const inGroup = frame.groupId !== null && frame.groupId !== undefined;
		if (readerId === Number(this.me.id)) {
			// Read on another tab or device (or this one): the badge follows the stored cursor.
			const chat = this.chat(inGroup ? chatKey("group", frame.groupId) : chatKey("direct", frame.fromUserId));
			if (!chat) return;
			chat.readUpTo = Math.max(chat.readUpTo, upTo);
			this.readSent.set(chat.key, Math.max(this.readSent.get(chat.key) || 0, upTo));
			if (!chat.unread) return;
			if (!chat.last || upTo >= chat.last.id) {
				chat.unread = 0;
				this.renderChatList();
			} else {
				this.scheduleChatRefresh();
			}
			return;
		}
		if (inGroup) {
			const groupId = Number(frame.groupId);
			if (!this.groupReadBy.has(groupId)) this.groupReadBy.set(groupId, new Map());
			const readers = this.groupReadBy.get(groupId);
			if (upTo <= (readers.get(readerId) || 0)) return;
			readers.set(readerId, upTo);
		} else {
			if (upTo <= (this.readBy.get(readerId) || 0)) return;
			this.readBy.set(readerId, upTo);
			this.saveReadBy();
		}
		if (this.openKey !== null) this.renderMessages();
		this.renderChatList();
	}

	refreshTyping() {
		this.renderChatList();
		if (this.openKey !== null) this.renderHeader();
		clearTimeout(this.typingTimer);
		const now = Date.now();
		let next = Infinity;
		for (const chat of this.chats.values()) {
			for (const [userId, until] of chat.typing) {
				if (until > now) next = Math.min(next, until);
				else chat.typing.delete(userId);
			}
		}
		if (Number.isFinite(next)) this.typingTimer = setTimeout(() => this.refreshTyping(), Math.max(50, next - now + 20));
	}

	/** A stored message (chatmsg, groupmsg, or the answer to one's own post). */
	onMessage(frame) {
		const message = {...frame, id: Number(frame.id)};
		delete message.type;
		if (!message.id) return;
		const key = this.keyOf(message);
		let chat = this.chat(key);
		if (!chat) {
			if (message.groupId !== null && message.groupId !== undefined) {
				// A group we have not heard of yet (added while away): the chat list brings it.
				chat = this.ensureChat("group", message.groupId);
				this.scheduleChatRefresh();
			} else {
				// Someone we do not know yet (registered while we were away).
				if (!this.addUser({id: this.otherId(message), userName: message.fromUserName || `#${this.otherId(message)}`, info: "", image: null})) return;
				chat = this.chat(key);
				this.refreshContacts();
			}
		}
		const conversation = this.conversationOf(key);
		const own = Number(message.fromUserId) === Number(this.me.id);
		if (own) {
			// Our own message, coming back over the socket: it replaces its pending bubble.
			const index = conversation.pending.findIndex((item) => item.text === message.text && sameAttachment(item, message));
			if (index >= 0 && !conversation.pending[index].failed) conversation.pending.splice(index, 1);
		} else {
			chat.typing.delete(Number(message.fromUserId));
		}
		const visible = this.openKey === key && !document.hidden;
		const newer = !chat.last || message.id > chat.last.id;
		if (!own && !visible && newer && message.id > Math.max(chat.readUpTo, this.readSent.get(key) || 0)) chat.unread++;
		this.noteLast(chat, message);
		let added = false;
		if (conversation.loaded || conversation.loading) added = this.insert(conversation, message);
		if (this.openKey === key) {
			if (added || own) this.renderMessages();
			this.renderHeader();
			if (!own) this.markRead(key);
		}
		this.renderChatList();
	}

	async reloadAll() {
		await Promise.all([this.refreshContacts(), this.refreshChats()]);
		for (const conversation of this.conversations.values()) {
			conversation.loaded = false;
			conversation.complete = false;
			conversation.messages = [];
			conversation.ids = new Set();
		}
		if (this.openKey !== null) await this.loadLatest(this.openKey);
	}
}
