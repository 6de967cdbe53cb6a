// Photos and files in chats (PROTOCOL.md Part 2 "Attachments"): the attach
// button, dropping files on the conversation and pasting images into the
// composer; each file becomes a pending message whose bubble shows the upload's
// progress with a cancel button; once POST /attachments answered, the message
// goes out as text does (chat.js deliver()) with its "attachmentId" and the
// composer's text as the caption. Stored messages show a thumbnail that opens
// the full image in a lightbox, or a file with its name, size and a download
// link. The session cookie authenticates GET /attachments/{id}, so images are
// plain <img> elements.
//
// chat.js calls: composerButton() and watchDrops() where it builds the
// conversation, decorate() where it renders a message, uploaded() before it
// posts a pending message, sameAttachment() to match its own message coming
// back, and previewText() for the chat list; everything else lives here.
import {h} from "./dom.js";

const THUMBNAIL_BOX = 330;      // px: the longer side of an image in a bubble
const MIN_IMAGE_SIDE = 120;     // px: a tiny or very long image still gets a tappable box

/** "912 bytes", "34 KB", "1.4 MB". */
export function humanSize(bytes) {
	const size = Number(bytes) || 0;
	if (size < 1024) return `${size} ${size === 1 ? "byte" : "bytes"}`;
	const units = ["KB", "MB", "GB", "TB"];
	let value = size / 1024;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	return `${value < 10 ? value.toFixed(1).replace(/\.0$/, "") : Math.round(value)} ${units[unit]}`;
}

function isImage(attachment) {
	return Boolean(attachment && attachment.thumbnail && String(attachment.type || "").startsWith("image/"));
}

/** Whether a pending message is the one the server sent back (same caption, same upload). */
export function sameAttachment(pending, message) {
	return (pending.attachmentId || null) === (message.attachment ? message.attachment.id : null);
}

/** A chat list line for a message: its text, or what it carries. */
export function previewText(message) {
	const attachment = message.attachment;
	if (!attachment || message.deleted) return message.text;
	const what = isImage(attachment) ? "📷 Photo" : `📄 ${attachment.name}`;
	return message.text ? `${isImage(attachment) ? "📷" : "📄"} ${message.text}` : what;
}

/** The display size of an image of width × height in a bubble: at most THUMBNAIL_BOX on its longer side. */
function boxSize(width, height) {
	const w = Number(width) || THUMBNAIL_BOX;
	const h = Number(height) || THUMBNAIL_BOX;
	const scale = Math.min(1, THUMBNAIL_BOX / Math.max(w, h));
	return {
		width: Math.round(Math.min(THUMBNAIL_BOX, Math.max(MIN_IMAGE_SIDE, w * scale))),
		height: Math.round(Math.min(THUMBNAIL_BOX, Math.max(MIN_IMAGE_SIDE, h * scale))),
	};
}

/** {width, height} of a local image (as shown: EXIF orientation applied), or {} when this browser cannot decode it. */
async function imageSize(url) {
	const image = new Image();
	image.src = url;
	try {
		await image.decode();
		return {width: image.naturalWidth, height: image.naturalHeight};
	} catch (error) {
		return {};
	}
}

/** A plain sentence for a refused upload (HTTP status, error code and message of the server). */
function uploadError(name, status, error) {
	const code = error && error.code;
	if (status === 413 && code === "quota_exceeded") {
		return "Your storage space on this server is full. Delete messages with files to free some, then try again.";
	}
	if (status === 413 && code === "image_too_large") return `“${name}” is too large a picture to send: make it smaller first.`;
	if (status === 413) {
		// The plugin names its limit; the core's refusal of the whole body counts the form around the file.
		const limit = code === "too_large" && /(\d+) bytes/.exec((error && error.message) || "");
		return `“${name}” is too large to send${limit ? ` (the limit is ${humanSize(limit[1])})` : ""}.`;
	}
	if (status === 415) return `“${name}” could not be sent: the server did not accept the upload.`;
	if (status === 404) return "This server does not accept files.";
	if (status === 401) return "Please log in again to send files.";
	if (status === 429 || status === 503) return `The server is busy: “${name}” was not sent. Try again in a moment.`;
	if (status >= 500) return `The server had a problem storing “${name}”. Try again.`;
	const reason = error && error.message ? `: ${error.message}` : "";
	return `“${name}” could not be sent${reason}.`;
}

export class Attachments {
	/** view: the ChatView (its composer, open chat, pending messages and rendering). */
	constructor(view) {
		this.view = view;
		this.uploads = new Map();   // pending message -> XMLHttpRequest under way
		this.previews = new Map();  // pending message -> blob: URL of its local image
		this.lightbox = null;
		this.dragDepth = 0;
	}

	destroy() {
		for (const request of this.uploads.values()) request.abort();
		for (const url of this.previews.values()) URL.revokeObjectURL(url);
		this.previews.clear();
		this.closeLightbox();
	}

	// ---- choosing files ----------------------------------------------------

	/** The composer's attach button (with its hidden file input); images pasted into the composer are sent too. */
	composerButton() {
		this.fileInput = h("input", {type: "file", multiple: true, class: "visually-hidden", tabindex: "-1", "aria-hidden": "true",
			id: "composer-file"});
		this.fileInput.addEventListener("change", () => {
			this.sendFiles(Array.from(this.fileInput.files || []));
			this.fileInput.value = "";
		});
		const button = h("button", {type: "button", class: "attach", "aria-label": "Attach a photo or file", title: "Attach a photo or file",
			onclick: () => this.fileInput.click()}, h("span", {"aria-hidden": "true", text: "📎"}));
		this.view.textInput.addEventListener("paste", (event) => {
			const files = Array.from((event.clipboardData && event.clipboardData.files) || []);
			if (!files.length) return;
			event.preventDefault();
			this.sendFiles(files);
		});
		return [button, this.fileInput];
	}

	/** Files dropped anywhere on target (the open conversation) are sent. */
	watchDrops(target) {
		const carriesFiles = (event) => Array.from((event.dataTransfer && event.dataTransfer.types) || []).includes("Files");
		this.dropHint = h("div", {class: "drop-hint", hidden: true}, h("p", {text: "Drop files here to send them"}));
		target.append(this.dropHint);
		target.addEventListener("dragenter", (event) => {
			if (!carriesFiles(event)) return;
			event.preventDefault();
			this.dragDepth++;
			this.dropHint.hidden = false;
		});
		target.addEventListener("dragover", (event) => {
			if (!carriesFiles(event)) return;
			event.preventDefault();
			event.dataTransfer.dropEffect = "copy";
		});
		target.addEventListener("dragleave", () => {
			this.dragDepth = Math.max(0, this.dragDepth - 1);
			if (!this.dragDepth) this.dropHint.hidden = true;
		});
		target.addEventListener("drop", (event) => {
			if (!carriesFiles(event)) return;
			event.preventDefault();
			this.dragDepth = 0;
			this.dropHint.hidden = true;
			this.sendFiles(Array.from(event.dataTransfer.files || []));
		});
	}

	/** Each file becomes a pending message of the open chat; the composer's text is the first one's caption. */
	async sendFiles(files) {
		const view = this.view;
		const chat = view.chat(view.openKey);
		if (!chat || !files.length) return;
		let caption = view.textInput.value.trim();
		view.textInput.value = "";
		view.composerError.textContent = "";
		for (const file of files) {
			const pending = {pending: true, key: ++view.pendingSeq, chatKey: chat.key, fromUserId: view.me.id,
				groupId: chat.kind === "group" ? chat.id : null, text: caption, time: Date.now(), failed: false,
				file, attachmentId: null, progress: 0,
				attachment: {name: file.name || "pasted image", size: file.size, type: file.type || "", thumbnail: false}};
			caption = "";
			let local = null;
			if (file.type.startsWith("image/")) {
				// The picture and its size first, so that the bubble has its final box at once.
				local = URL.createObjectURL(file);
				const size = await imageSize(local);
				if (size.width) {
					Object.assign(pending.attachment, size, {thumbnail: true});
				} else {
					URL.revokeObjectURL(local);
					local = null;
				}
			}
			view.conversationOf(chat.key).pending.push(pending);
			// Kept while the message is pending (releasePreviews()).
			if (local) this.previews.set(pending, local);
			view.renderMessages({toBottom: true});
			view.deliver(pending);
		}
		view.textInput.focus();
	}

	// ---- uploading ---------------------------------------------------------

	/**
	 * Before a pending message is posted: its file is uploaded first (once).
	 * True when it can be posted; false when the upload was cancelled or
	 * refused (the bubble is gone and the composer says why) or failed on the
	 * way (the bubble offers to retry).
	 */
	async uploaded(pending) {
		if (!pending.file || pending.attachmentId) return true;
		const {status, body} = await this.upload(pending);
		if (status === 201 && body && body.id) {
			pending.attachmentId = body.id;
			pending.attachment = body;
			return true;
		}
		const view = this.view;
		if (status === -1) {
			this.forget(pending);
			return false;
		}
		if (status === 0) {
			pending.failed = true;
			if (view.openKey === pending.chatKey) view.composerError.textContent = `“${pending.attachment.name}” was not sent: the connection was interrupted.`;
			return false;
		}
		if (status === 401) view.checkSession();
		this.forget(pending);
		if (view.openKey === pending.chatKey) {
			view.composerError.textContent = uploadError(pending.attachment.name, status, body && body.error);
			if (pending.text && !view.textInput.value) view.textInput.value = pending.text;
		}
		return false;
	}

	/** POST /attachments with progress: {status, body}; status 0 when the connection failed, -1 when cancelled. */
	upload(pending) {
		return new Promise((resolve) => {
			const request = new XMLHttpRequest();
			this.uploads.set(pending, request);
			const done = (status, body) => {
				this.uploads.delete(pending);
				resolve({status, body});
			};
			request.open("POST", "/attachments");
			request.setRequestHeader("Accept", "application/json");
			request.responseType = "text";
			request.upload.addEventListener("progress", (event) => {
				if (event.lengthComputable) this.showProgress(pending, event.loaded / event.total);
			});
			request.addEventListener("load", () => {
				let body = null;
				try { body = JSON.parse(request.responseText); } catch (error) { body = null; }
				done(request.status, body);
			});
			request.addEventListener("error", () => done(0, null));
			request.addEventListener("timeout", () => done(0, null));
			request.addEventListener("abort", () => done(-1, null));
			const form = new FormData();
			form.append("file", pending.file, pending.attachment.name);
			pending.progress = 0;
			request.send(form);
		});
	}

	cancel(pending) {
		const request = this.uploads.get(pending);
		if (request) request.abort();
		else this.forget(pending);
	}

	/** A pending message that will not be sent: its bubble goes. */
	forget(pending) {
		const view = this.view;
		const conversation = view.conversations.get(pending.chatKey);
		if (conversation) conversation.pending = conversation.pending.filter((item) => item !== pending);
		if (view.openKey === pending.chatKey) view.renderMessages();
	}

	showProgress(pending, fraction) {
		pending.progress = fraction;
		const row = this.view.rows.get(`p${pending.key}`);
		const bar = row && row.querySelector(".upload-progress progress");
		if (bar) bar.value = fraction;
	}

	/** The blob: URLs of local images whose message is no longer pending. */
	releasePreviews() {
		for (const [pending, url] of this.previews) {
			const conversation = this.view.conversations.get(pending.chatKey);
			if (conversation && conversation.pending.includes(pending)) continue;
			URL.revokeObjectURL(url);
			this.previews.delete(pending);
		}
	}

	// ---- bubbles -----------------------------------------------------------

	/** Adds the photo or file of a message to its freshly rendered bubble. */
	decorate(row, message) {
		this.releasePreviews();
		const attachment = message.attachment;
		if (!attachment || message.deleted) return row;
		const bubble = row.querySelector(".bubble");
		const content = isImage(attachment) ? this.imageContent(message) : this.fileContent(message);
		bubble.insertBefore(content, bubble.querySelector(".text"));
		bubble.classList.add("has-attachment", isImage(attachment) ? "has-image" : "has-file");
		if (!message.text) bubble.classList.add("no-caption");
		if (message.pending && !message.attachmentId) {
			// On a photo the progress sits on the picture, as the time does.
			(isImage(attachment) ? content : bubble).append(message.failed ? this.discardButton(message) : this.progressBar(message));
		}
		return row;
	}

	imageContent(message) {
		const attachment = message.attachment;
		const local = this.previews.get(message);
		const {width, height} = boxSize(attachment.width, attachment.height);
		const image = h("img", {alt: attachment.name ? `Photo: ${attachment.name}` : "Photo", decoding: "async",
			src: local || `/attachments/${encodeURIComponent(attachment.id)}/thumbnail`});
		const frame = h("span", {class: "photo-frame"}, image);
		// A fixed box from the image's size: nothing moves when it arrives.
		frame.style.width = `${width}px`;
		frame.style.aspectRatio = `${width} / ${height}`;
		image.addEventListener("load", () => frame.classList.add("loaded"), {once: true});
		image.addEventListener("error", () => frame.classList.add("broken"), {once: true});
		if (message.pending) return frame;
		return h("button", {type: "button", class: "photo", "aria-label": `Open photo ${attachment.name || ""}`.trim(),
			onclick: (event) => this.openLightbox(attachment, event.currentTarget)}, frame);
	}

	fileContent(message) {
		const attachment = message.attachment;
		const name = attachment.name || "file";
		const dot = name.lastIndexOf(".");
		const extension = dot > 0 && name.length - dot <= 6 ? name.slice(dot + 1).toUpperCase() : "FILE";
		const details = h("span", {class: "file-details"},
			h("span", {class: "file-name", text: name}),
			h("span", {class: "file-size", text: humanSize(attachment.size)}));
		const icon = h("span", {class: "file-icon", "aria-hidden": "true", text: extension.slice(0, 4)});
		if (message.pending) return h("span", {class: "file-card"}, icon, details);
		return h("span", {class: "file-card"}, icon, details,
			h("a", {class: "file-download", href: `/attachments/${encodeURIComponent(attachment.id)}`, download: name,
				"aria-label": `Download ${name}`, title: "Download", text: "⤓"}));
	}

	progressBar(pending) {
		const bar = h("progress", {max: "1", "aria-label": `Uploading ${pending.attachment.name}`});
		bar.value = pending.progress;
		return h("span", {class: "upload-progress"}, bar,
			h("button", {type: "button", class: "upload-cancel", "aria-label": `Cancel sending ${pending.attachment.name}`, title: "Cancel",
				onclick: () => this.cancel(pending), text: "✕"}));
	}

	discardButton(pending) {
		return h("button", {type: "button", class: "upload-discard", onclick: () => this.forget(pending), text: "Discard"});
	}

	// ---- the lightbox ------------------------------------------------------

	openLightbox(attachment, opener) {
		this.closeLightbox();
		const close = h("button", {type: "button", class: "lightbox-close", "aria-label": "Close photo", title: "Close (Esc)",
			onclick: () => this.closeLightbox(), text: "✕"});
		const url = `/attachments/${encodeURIComponent(attachment.id)}`;
		const image = h("img", {class: "lightbox-image", src: url, alt: attachment.name || "Photo"});
		const status = h("p", {class: "lightbox-status", role: "status", text: "Loading…"});
		image.addEventListener("load", () => status.remove(), {once: true});
		image.addEventListener("error", () => { status.textContent = "The photo could not be loaded."; }, {once: true});
		const element = h("div", {class: "lightbox", role: "dialog", "aria-modal": "true", "aria-label": attachment.name || "Photo"},
			h("header", {class: "lightbox-bar"},
				h("span", {class: "lightbox-name", text: attachment.name || ""}),
				h("a", {class: "lightbox-download", href: url, download: attachment.name || "photo", text: "Download"}),
				close),
			h("div", {class: "lightbox-body"}, image, status));
		element.addEventListener("click", (event) => {
			if (event.target === element || event.target.classList.contains("lightbox-body")) this.closeLightbox();
		});
		element.addEventListener("keydown", (event) => {
			if (event.key === "Escape") {
				event.preventDefault();
				event.stopPropagation();
				this.closeLightbox();
			} else if (event.key === "Tab") {
				// Focus stays in the dialog: its two controls.
				const controls = Array.from(element.querySelectorAll("a, button"));
				const index = controls.indexOf(document.activeElement);
				const next = (index + (event.shiftKey ? -1 : 1) + controls.length) % controls.length;
				event.preventDefault();
				controls[next].focus();
			}
		});
		this.lightbox = {element, opener};
		document.body.append(element);
		close.focus();
	}

	closeLightbox() {
		if (!this.lightbox) return;
		const {element, opener} = this.lightbox;
		this.lightbox = null;
		element.remove();
		if (opener && opener.isConnected) opener.focus();
	}
}
