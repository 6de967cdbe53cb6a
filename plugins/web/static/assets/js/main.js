// Palaver's web client: decides which screen to show.
import {api} from "./api.js";
import {h, clear} from "./dom.js";
import {renderLogin, renderRegister} from "./auth.js";
import {ChatView} from "./chat.js";
import {followNotificationClicks} from "./notifications.js";

const root = document.getElementById("app");
let chat = null;
let config = {websocketUrl: ""};
let chatReady = false;
let chatToOpen = null;   // a notification's chat, opened once the chat list is loaded

function openChat(key) {
	chatToOpen = key;
	if (!chat || !chatReady) return;
	chatToOpen = null;
	chat.ensureChat(key[0] === "g" ? "group" : "direct", key.slice(1));
	chat.openConversation(key);
}

function showAuth() {
	if (chat) {
		chat.destroy();
		chat = null;
	}
	root.className = "auth-root";
	if (location.hash === "#register") renderRegister(root, showChat);
	else renderLogin(root, showChat);
	document.title = location.hash === "#register" ? "Register · Palaver" : "Log in · Palaver";
}

function showChat(user) {
	if (location.hash) history.replaceState(null, "", location.pathname);
	root.className = "chat-root";
	document.title = "Palaver";
	chat = new ChatView(root, user, {
		websocketUrl: config.websocketUrl,
		onLoggedOut: () => {
			chat = null;
			history.replaceState(null, "", `${location.pathname}#login`);
			showAuth();
		},
	});
	chatReady = false;
	const started = chat;
	chat.start().finally(() => {
		if (chat !== started) return;
		chatReady = true;
		if (chatToOpen) openChat(chatToOpen);
	});
}

window.addEventListener("hashchange", () => {
	if (!chat) showAuth();
});

async function boot() {
	try {
		config = {...config, ...(await api.config())};
	} catch (error) {
		// Defaults: the WebSocket on this origin's /ws.
	}
	try {
		const user = await api.me();
		showChat(user);
	} catch (error) {
		if (error.status === 401 || error.status === 404) return showAuth();
		clear(root).append(h("div", {class: "boot-message"},
			h("p", {text: error.message}),
			h("button", {type: "button", class: "primary", onclick: () => location.reload(), text: "Try again"})));
	}
}

followNotificationClicks(openChat);
boot();
