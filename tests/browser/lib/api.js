// Direct HTTP calls to the server, for setting up what a scenario needs.
export class ApiClient {
	constructor(baseUrl) {
		this.baseUrl = baseUrl;
		this.token = null;
		this.user = null;
	}

	async request(method, path, body) {
		const headers = {Accept: "application/json"};
		if (this.token) headers.Authorization = `Bearer ${this.token}`;
		if (body !== undefined) headers["Content-Type"] = "application/json";
		const response = await fetch(`${this.baseUrl}${path}`, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
		const text = await response.text();
		const data = text ? JSON.parse(text) : null;
		if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
		return data;
	}

	async register(userName, password = "secret123", info = "") {
		const result = await this.request("POST", "/register", {username: userName, password, info});
		this.token = result.token;
		this.user = result.user;
		return result.user;
	}

	send(toUserId, text) {
		return this.request("POST", `/post/touser/${toUserId}`, {text});
	}
}
