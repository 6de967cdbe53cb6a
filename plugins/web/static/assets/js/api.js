// The HTTP API of PROTOCOL.md, with the session cookie of this origin.

export class ApiError extends Error {
	constructor(status, code, message, field) {
		super(message || `request failed (${status})`);
		this.status = status;
		this.code = code || "error";
		this.field = field || "";
	}
}

async function request(method, path, body) {
	const options = {method, credentials: "same-origin", headers: {Accept: "application/json"}};
	if (body instanceof FormData) {
		options.body = body;
	} else if (body !== undefined) {
		options.headers["Content-Type"] = "application/json";
		options.body = JSON.stringify(body);
	}
	let response;
	try {
		response = await fetch(path, options);
	} catch (error) {
		throw new ApiError(0, "network", "The server cannot be reached. Check your connection.");
	}
	if (response.status === 204) return null;
	let data = null;
	const type = response.headers.get("Content-Type") || "";
	if (type.includes("json")) {
		try { data = await response.json(); } catch (error) { data = null; }
	}
	if (!response.ok) {
		const error = data && data.error ? data.error : {};
		throw new ApiError(response.status, error.code, error.message || defaultMessage(response.status), error.field);
	}
	return data;
}

function defaultMessage(status) {
	if (status === 401) return "Please log in.";
	if (status === 413) return "That is too large.";
	if (status === 429) return "Too many attempts. Please wait a moment.";
	if (status >= 500) return "The server had a problem. Please try again.";
	return `Request failed (${status}).`;
}

/** path with limit= and before= added when given (paged lists). */
function paged(path, {limit, before} = {}) {
	const query = new URLSearchParams();
	if (limit) query.set("limit", String(limit));
	if (before) query.set("before", String(before));
	if (!query.toString()) return path;
	return `${path}${path.includes("?") ? "&" : "?"}${query}`;
}

const id = encodeURIComponent;

/** A post's body: the text, and the upload it carries (attachments.js) when there is one. */
function messageBody(text, attachmentId) {
	return attachmentId ? {text, attachmentId} : {text};
}

export const api = {
	config: () => request("GET", "/config.json"),
	me: () => request("GET", "/me"),
	register: (formData) => request("POST", "/register", formData),
	login: (userName, password) => request("POST", "/login", {username: userName, password}),
	logout: () => request("POST", "/logout"),
	wsTicket: () => request("POST", "/ws/ticket"),
	contacts: () => request("GET", "/contacts"),
	messages: (userId, page) => request("GET", paged(`/messages/from/${id(userId)}`, page)),
	send: (userId, text, attachmentId) => request("POST", `/post/touser/${id(userId)}`, messageBody(text, attachmentId)),
	// The chat list and read state (PROTOCOL.md Part 2).
	conversations: (page) => request("GET", paged("/conversations", page)),
	readUser: (userId, upToId) => request("POST", `/read/user/${id(userId)}`, {upToId}),
	readGroup: (groupId, upToId) => request("POST", `/read/group/${id(groupId)}`, {upToId}),
	// Groups.
	createGroup: (name, memberIds) => request("POST", "/groups", {name, memberIds}),
	group: (groupId) => request("GET", `/groups/${id(groupId)}`),
	renameGroup: (groupId, name) => request("PATCH", `/groups/${id(groupId)}`, {name}),
	addMembers: (groupId, userIds) => request("POST", `/groups/${id(groupId)}/members`, {userIds}),
	setRole: (groupId, userId, role) => request("PUT", `/groups/${id(groupId)}/members/${id(userId)}`, {role}),
	removeMember: (groupId, userId) => request("DELETE", `/groups/${id(groupId)}/members/${id(userId)}`),
	groupMessages: (groupId, page) => request("GET", paged(`/messages/group/${id(groupId)}`, page)),
	sendToGroup: (groupId, text, attachmentId) => request("POST", `/post/togroup/${id(groupId)}`, messageBody(text, attachmentId)),
	// Editing, deleting, searching (PROTOCOL.md Part 2).
	editMessage: (messageId, text) => request("PATCH", `/messages/${id(messageId)}`, {text}),
	deleteMessage: (messageId) => request("DELETE", `/messages/${id(messageId)}`),
	search: (q, page) => request("GET", paged(`/search?q=${encodeURIComponent(q)}`, page)),
	updateInfo: (info) => request("PATCH", "/me", {info}),
	uploadImage: (formData) => request("POST", "/me/image", formData),
	changePassword: (currentPassword, newPassword) => request("POST", "/password", {currentPassword, newPassword}),
	deleteAccount: (password) => request("DELETE", "/me", {password}),
	sessions: () => request("GET", "/sessions"),
	endSession: (sessionId) => request("DELETE", `/sessions/${id(sessionId)}`),
	endOtherSessions: () => request("POST", "/sessions/revoke-others"),
	// Web Push (notifications.js).
	pushKey: () => request("GET", "/push/key"),
	subscribePush: (subscription) => request("POST", "/push/subscriptions", subscription),
	unsubscribePush: (subscriptionId) => request("DELETE", `/push/subscriptions/${id(subscriptionId)}`),
};
