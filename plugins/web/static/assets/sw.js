// Palaver's service worker: shows Web Push notifications (plugins/push) and
// opens the chat they belong to. Its scope is /assets/: it controls no page
// (a push needs none), so the server's pages stay as they are.

/** The chat of a push payload, as chat.js keys it: "g<group id>" or "u<sender id>". */
function chatKeyOf(data) {
	return data.groupId != null ? `g${Number(data.groupId)}` : `u${Number(data.fromUserId)}`;
}

/** The group's name, with the session cookie; "" when it cannot be read. */
async function groupName(groupId) {
	try {
		const response = await fetch(`/groups/${encodeURIComponent(groupId)}`, {credentials: "same-origin"});
		if (!response.ok) return "";
		const group = await response.json();
		return typeof group.name === "string" ? group.name : "";
	} catch (error) {
		return "";
	}
}

/**
 * The notification's text: the message's text when the server sends it
 * ([push] include_text), and for an attachment "📷 Photo" or the file's name
 * (sent with the text only) before it.
 */
function bodyOf(data) {
	const text = typeof data.text === "string" ? data.text : "";
	const attachment = data.attachment !== null && typeof data.attachment === "object" ? data.attachment : null;
	if (!attachment) return text || "New message";
	if (typeof attachment.type === "string" && attachment.type.startsWith("image/")) return text ? `📷 ${text}` : "📷 Photo";
	const file = `📎 ${typeof attachment.name === "string" && attachment.name ? attachment.name : "File"}`;
	return text ? `${file}: ${text}` : file;
}

async function showPush(data) {
	const sender = typeof data.fromUserName === "string" && data.fromUserName ? data.fromUserName : "Someone";
	const key = chatKeyOf(data);
	let title = sender;
	if (data.groupId != null) {
		const name = await groupName(data.groupId);
		title = name ? `${sender} in ${name}` : `${sender} in a group`;
	}
	await self.registration.showNotification(title, {
		body: bodyOf(data),
		tag: key,            // one notification per chat, the newest
		renotify: true,
		icon: "/assets/icon-192.png",
		badge: "/assets/icon-192.png",
		data: {key},
	});
}

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
	let data = {};
	try {
		data = event.data ? event.data.json() : {};
	} catch (error) {
		data = {};
	}
	event.waitUntil(showPush(data));
});

self.addEventListener("notificationclick", (event) => {
	event.notification.close();
	const key = event.notification.data && event.notification.data.key;
	event.waitUntil((async () => {
		const windows = await self.clients.matchAll({type: "window", includeUncontrolled: true});
		const page = windows.find((client) => new URL(client.url).origin === self.location.origin);
		if (page) {
			page.postMessage({type: "open-chat", key});
			await page.focus().catch(() => {});   // a browser may refuse focus: the chat is open anyway
			return;
		}
		await self.clients.openWindow(key ? `/#open=${encodeURIComponent(key)}` : "/");
	})());
});
