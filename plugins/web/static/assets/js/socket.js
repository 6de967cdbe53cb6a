// The live connection (PROTOCOL.md "WebSocket"): cookie-authenticated on this
// origin's /ws, reconnecting with back-off and catching up with ?since=. On
// another origin (a [web] websocket_url on the ws port or another host) the
// cookie may not go along: each attempt then asks for a single-use ticket
// (POST /ws/ticket) and sends it as ?ticket=, never the session token.

import {api} from "./api.js";

const MIN_DELAY = 500;
const MAX_DELAY = 15000;

export class LiveSocket {
	/**
	 * @param {object} options
	 *   url: base WebSocket URL (default: this origin's /ws)
	 *   lastSeenId: () => highest message id seen, for ?since=
	 *   onFrame(frame), onState(state, detail), onAuthFailed()
	 */
	constructor(options) {
		this.options = options;
		this.socket = null;
		this.state = "idle";
		this.attempt = 0;
		this.timer = null;
		this.stopped = true;
		this.ready = false;
		this.generation = 0;          // the current connect() attempt
		this.onVisible = () => { if (!document.hidden && this.state === "waiting") this.connectNow(); };
		this.onOnline = () => { if (this.state === "waiting") this.connectNow(); };
	}

	static defaultUrl() {
		const scheme = location.protocol === "https:" ? "wss:" : "ws:";
		return `${scheme}//${location.host}/ws`;
	}

	start() {
		if (!this.stopped) return;
		this.stopped = false;
		document.addEventListener("visibilitychange", this.onVisible);
		window.addEventListener("online", this.onOnline);
		this.connect();
	}

	stop() {
		this.stopped = true;
		clearTimeout(this.timer);
		document.removeEventListener("visibilitychange", this.onVisible);
		window.removeEventListener("online", this.onOnline);
		if (this.socket) {
			const socket = this.socket;
			this.socket = null;
			socket.close(1000, "bye");
		}
		this.setState("idle");
	}

	/** Sends a frame if the connection is ready; returns whether it was sent. */
	send(frame) {
		if (!this.ready || !this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
		this.socket.send(JSON.stringify(frame));
		return true;
	}

	setState(state, detail) {
		this.state = state;
		if (this.options.onState) this.options.onState(state, detail);
	}

	connectNow() {
		clearTimeout(this.timer);
		this.attempt = 0;
		this.connect();
	}

	/** True when url is not on this page's origin (scheme aside): the cookie may not be sent there. */
	static needsTicket(url) {
		return new URL(url, location.href).host !== location.host;
	}

	static withParameter(url, name, value) {
		return `${url}${url.includes("?") ? "&" : "?"}${name}=${encodeURIComponent(value)}`;
	}

	async connect() {
		if (this.stopped) return;
		const generation = ++this.generation;
		const base = this.options.url || LiveSocket.defaultUrl();
		const since = this.options.lastSeenId ? this.options.lastSeenId() : 0;
		let url = since > 0 ? LiveSocket.withParameter(base, "since", since) : base;
		this.ready = false;
		this.setState("connecting");
		if (LiveSocket.needsTicket(base)) {
			let ticket;
			try {
				ticket = (await api.wsTicket()).ticket;
			} catch (error) {
				if (this.stopped || generation !== this.generation) return;
				if (error.status === 401 && this.options.onAuthFailed) this.options.onAuthFailed();
				this.scheduleReconnect();
				return;
			}
			// stop() or a newer attempt while the ticket was on its way.
			if (this.stopped || generation !== this.generation) return;
			url = LiveSocket.withParameter(url, "ticket", ticket);
		}
		let socket;
		try {
			socket = new WebSocket(url);
		} catch (error) {
			this.scheduleReconnect();
			return;
		}
		this.socket = socket;
		socket.addEventListener("message", (event) => {
			if (socket !== this.socket) return;
			let frame;
			try { frame = JSON.parse(event.data); } catch (error) { return; }
			if (!frame || typeof frame !== "object") return;
			if (frame.type === "ready") {
				this.ready = true;
				this.attempt = 0;
				this.setState("online");
			}
			this.options.onFrame(frame);
		});
		socket.addEventListener("close", (event) => {
			if (socket !== this.socket) return;
			const wasReady = this.ready;
			this.socket = null;
			this.ready = false;
			if (this.stopped) return;
			this.failures = wasReady ? 0 : (this.failures || 0) + 1;
			// 1008: not authenticated (any more); 4001: the session ended
			// (logged out, revoked elsewhere, account disabled or deleted). A refused handshake shows
			// only as 1006, so repeated failures before "ready" also make the
			// app check its session (GET /me: 401 means log in again).
			if ((event.code === 1008 || event.code === 4001 || this.failures === 1 || this.failures % 8 === 0) && this.options.onAuthFailed) {
				this.options.onAuthFailed();
			}
			this.scheduleReconnect();
		});
	}

	scheduleReconnect() {
		if (this.stopped) return;
		const delay = Math.min(MAX_DELAY, MIN_DELAY * 2 ** this.attempt);
		const jittered = Math.round(delay / 2 + Math.random() * delay / 2);
		this.attempt = Math.min(this.attempt + 1, 10);
		this.setState("waiting", jittered);
		clearTimeout(this.timer);
		this.timer = setTimeout(() => this.connect(), jittered);
	}
}
