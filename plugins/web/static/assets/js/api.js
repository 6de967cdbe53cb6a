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

export const api = {
	config: () => request("GET", "/config.json"),
	me: () => request("GET", "/me"),
	register: (formData) => request("POST", "/register", formData),
	login: (userName, password) => request("POST", "/login", {username: userName, password}),
	logout: () => request("POST", "/logout"),
	wsTicket: () => request("POST", "/ws/ticket"),
	contacts: () => request("GET", "/contacts"),
	messages(userId, {limit, before} = {}) {
		const query = new URLSearchParams();
		if (limit) query.set("limit", String(limit));
		if (before) query.set("before", String(before));
		const suffix = query.toString() ? `?${query}` : "";
		return request("GET", `/messages/from/${encodeURIComponent(userId)}${suffix}`);
	},
	send: (userId, text) => request("POST", `/post/touser/${encodeURIComponent(userId)}`, {text}),
	editMessage: (id, text) => request("PATCH", `/messages/${encodeURIComponent(id)}`, {text}),
	deleteMessage: (id) => request("DELETE", `/messages/${encodeURIComponent(id)}`),
	search(q, {limit, before} = {}) {
		const query = new URLSearchParams({q});
		if (limit) query.set("limit", String(limit));
		if (before) query.set("before", String(before));
		return request("GET", `/search?${query}`);
	},
	updateInfo: (info) => request("PATCH", "/me", {info}),
	uploadImage: (formData) => request("POST", "/me/image", formData),
	changePassword: (currentPassword, newPassword) => request("POST", "/password", {currentPassword, newPassword}),
	deleteAccount: (password) => request("DELETE", "/me", {password}),
	sessions: () => request("GET", "/sessions"),
	endSession: (id) => request("DELETE", `/sessions/${encodeURIComponent(id)}`),
	endOtherSessions: () => request("POST", "/sessions/revoke-others"),
};
