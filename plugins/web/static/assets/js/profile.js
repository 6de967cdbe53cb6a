// The profile panel (PROTOCOL.md "Accounts and sessions"): one's picture and
// "about" line, the password, the sessions (this device marked, each can be
// logged out, or all the others at once) and deleting the account. It covers
// the contact list while open; every error is shown in the panel itself.
import {api, ApiError} from "./api.js";
import {h, append, clear, avatar} from "./dom.js";
import {field, showErrors, clearErrors, busy} from "./auth.js";
import {notificationSection} from "./notifications.js";

const MAX_IMAGE = 2 * 1024 * 1024;

const sessionTimeFormat = new Intl.DateTimeFormat(undefined, {year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit"});

/** "Chrome on Linux" from a User-Agent, or the agent itself when unknown. */
export function deviceName(userAgent) {
	const agent = String(userAgent || "");
	if (!agent) return "Unknown device";
	const browsers = [["Edg/", "Edge"], ["OPR/", "Opera"], ["Firefox/", "Firefox"], ["Chrome/", "Chrome"], ["Safari/", "Safari"]];
	const systems = [["Android", "Android"], ["iPhone", "iPhone"], ["iPad", "iPad"], ["Windows", "Windows"], ["Mac OS", "macOS"], ["Linux", "Linux"]];
	const browser = browsers.find(([mark]) => agent.includes(mark));
	const system = systems.find(([mark]) => agent.includes(mark));
	if (!browser && !system) return agent.length > 60 ? `${agent.slice(0, 57)}…` : agent;
	return [browser ? browser[1] : "A browser", system ? `on ${system[1]}` : ""].filter(Boolean).join(" ");
}

function sessionTime(iso) {
	const ms = Date.parse(iso);
	return Number.isNaN(ms) ? "" : sessionTimeFormat.format(new Date(ms));
}

export class ProfilePanel {
	/**
	 * @param {object} options
	 *   user: the signed-in user
	 *   onUserChanged(user): the server answered with the changed user
	 *   onClose(): the panel was closed
	 *   onLoggedOut(): this session ended (logged out here, or the account deleted)
	 */
	constructor({user, onUserChanged, onClose, onLoggedOut}) {
		this.user = user;
		this.onUserChanged = onUserChanged;
		this.onClose = onClose;
		this.onLoggedOut = onLoggedOut;
		this.element = this.build();
	}

	build() {
		this.avatarSlot = h("span", {class: "profile-avatar"}, avatar(this.user, "xl"));
		this.nameText = h("p", {class: "profile-name", text: this.user.userName});
		this.imageInput = h("input", {id: "profile-image", name: "image", type: "file", accept: "image/jpeg,image/png",
			class: "visually-hidden", "aria-describedby": "profile-image-hint profile-image-error"});
		this.imageInput.addEventListener("change", () => this.uploadImage());
		this.imageForm = h("form", {class: "profile-section profile-picture", novalidate: true, "aria-label": "Profile picture"},
			this.avatarSlot,
			h("label", {for: "profile-image", class: "secondary-button", text: "Change picture"}),
			this.imageInput,
			h("p", {class: "field-hint", id: "profile-image-hint", text: "JPEG or PNG, at most 2 MiB."}),
			h("p", {class: "field-error", id: "profile-image-error", role: "alert", "data-field": "image"}),
			h("p", {class: "form-error", role: "alert"}));

		this.infoForm = h("form", {class: "profile-section", novalidate: true, "aria-label": "Name and about"},
			h("h3", {text: "Your name"}),
			this.nameText,
			field({id: "profile-info", label: "About you", name: "info", maxlength: 255, hint: "Shown to your contacts, e.g. “Available”."}),
			h("p", {class: "form-error", role: "alert"}),
			h("p", {class: "form-done", role: "status"}),
			h("button", {type: "submit", class: "primary", text: "Save"}));
		this.infoForm.elements.info.value = this.user.info || "";
		this.infoForm.addEventListener("submit", (event) => { event.preventDefault(); this.saveInfo(); });

		this.passwordForm = h("form", {class: "profile-section", novalidate: true, "aria-label": "Change password"},
			h("h3", {text: "Password"}),
			field({id: "profile-current-password", label: "Current password", type: "password", name: "currentPassword",
				autocomplete: "current-password", required: true}),
			field({id: "profile-new-password", label: "New password", type: "password", name: "newPassword",
				autocomplete: "new-password", required: true, minlength: 6, maxlength: 4096,
				hint: "At least 6 characters. Your other sessions will be logged out."}),
			h("p", {class: "form-error", role: "alert"}),
			h("p", {class: "form-done", role: "status"}),
			h("button", {type: "submit", class: "primary", text: "Change password"}));
		this.passwordForm.addEventListener("submit", (event) => { event.preventDefault(); this.changePassword(); });

		this.sessionList = h("ul", {class: "session-list", "aria-label": "Sessions"});
		this.sessionsError = h("p", {class: "form-error", role: "alert"});
		this.othersButton = h("button", {type: "button", class: "secondary-button", text: "Log out all other sessions",
			onclick: () => this.endOtherSessions()});
		this.sessionsSection = h("section", {class: "profile-section", "aria-label": "Where you are logged in"},
			h("h3", {text: "Where you are logged in"}),
			this.sessionList,
			this.sessionsError,
			this.othersButton);

		this.deleteForm = h("form", {class: "profile-section danger-zone", novalidate: true, "aria-label": "Delete account"},
			h("h3", {text: "Delete account"}),
			h("p", {class: "field-hint", text: "Your account and picture are removed and you are logged out everywhere. "
				+ "Messages you sent stay with the people you sent them to."}),
			h("button", {type: "button", class: "danger-button ask-delete", text: "Delete my account…", onclick: () => this.askDelete(true)}),
			h("div", {class: "delete-confirm", hidden: true},
				field({id: "profile-delete-password", label: "Your password, to confirm", type: "password", name: "password",
					autocomplete: "current-password", required: true}),
				h("p", {class: "form-error", role: "alert"}),
				h("div", {class: "button-row"},
					h("button", {type: "submit", class: "danger-button solid", text: "Delete account for good"}),
					h("button", {type: "button", class: "secondary-button", text: "Cancel", onclick: () => this.askDelete(false)}))));
		this.deleteForm.addEventListener("submit", (event) => { event.preventDefault(); this.deleteAccount(); });

		this.backButton = h("button", {type: "button", class: "icon-button back-to-chats", "aria-label": "Close profile",
			onclick: () => this.onClose(), text: "←"});
		const panel = h("section", {class: "profile-panel", "aria-label": "Profile"},
			h("header", {class: "profile-header"}, this.backButton, h("h2", {text: "Profile"})),
			h("div", {class: "profile-body"},
				this.imageForm, this.infoForm, notificationSection(), this.sessionsSection, this.passwordForm, this.deleteForm));
		panel.addEventListener("keydown", (event) => {
			if (event.key === "Escape") {
				event.preventDefault();
				event.stopPropagation();
				this.onClose();
			}
		});
		return panel;
	}

	/** Shows the panel's data afresh (the sessions are read again). */
	open() {
		this.loadSessions();
		this.backButton.focus();
	}

	/** The user changed (here, or live from another device): shows it. */
	showUser(user) {
		this.user = user;
		clear(this.avatarSlot).append(avatar(user, "xl"));
		this.nameText.textContent = user.userName;
		const info = this.infoForm.elements.info;
		if (document.activeElement !== info) info.value = user.info || "";
	}

	async saveInfo() {
		const form = this.infoForm;
		clearErrors(form);
		form.querySelector(".form-done").textContent = "";
		await busy(form, async () => {
			try {
				const user = await api.updateInfo(form.elements.info.value.trim());
				this.changed(user);
				form.querySelector(".form-done").textContent = "Saved.";
			} catch (error) {
				this.failed(form, error);
			}
		});
	}

	async uploadImage() {
		const form = this.imageForm;
		clearErrors(form);
		const file = this.imageInput.files[0];
		if (!file) return;
		if (!/^image\/(jpeg|png)$/.test(file.type)) return showErrors(form, new ApiError(400, "validation_failed", "Choose a JPEG or PNG picture.", "image"));
		if (file.size > MAX_IMAGE) return showErrors(form, new ApiError(413, "too_large", "That picture is larger than 2 MiB.", "image"));
		const data = new FormData();
		data.set("image", file, file.name);
		await busy(form, async () => {
			try {
				this.changed(await api.uploadImage(data));
			} catch (error) {
				this.failed(form, error);
			} finally {
				this.imageInput.value = "";
			}
		});
	}

	async changePassword() {
		const form = this.passwordForm;
		clearErrors(form);
		form.querySelector(".form-done").textContent = "";
		const currentPassword = form.elements.currentPassword.value;
		const newPassword = form.elements.newPassword.value;
		if (!currentPassword) return showErrors(form, new ApiError(400, "validation_failed", "Enter your current password.", "currentPassword"));
		if (newPassword.length < 6) return showErrors(form, new ApiError(400, "validation_failed", "The new password needs at least 6 characters.", "newPassword"));
		await busy(form, async () => {
			try {
				await api.changePassword(currentPassword, newPassword);
				form.reset();
				form.querySelector(".form-done").textContent = "Password changed. Your other sessions were logged out.";
				this.loadSessions();
			} catch (error) {
				this.failed(form, error);
			}
		});
	}

	async loadSessions() {
		this.sessionsError.textContent = "";
		let sessions;
		try {
			sessions = await api.sessions();
		} catch (error) {
			if (error.status === 401) return this.onLoggedOut();
			this.sessionsError.textContent = `Sessions could not be loaded: ${error.message}`;
			return;
		}
		// This device first, then the most recently used.
		sessions.sort((a, b) => Number(b.current) - Number(a.current) || String(b.lastSeenAt).localeCompare(String(a.lastSeenAt)));
		append(clear(this.sessionList), sessions.map((session) => this.renderSession(session)));
		this.othersButton.hidden = !sessions.some((session) => !session.current);
	}

	renderSession(session) {
		const name = deviceName(session.userAgent);
		return h("li", {class: `session${session.current ? " current" : ""}`, "data-session-id": session.id},
			h("div", {class: "session-main"},
				h("p", {class: "session-device"}, name,
					session.current ? h("span", {class: "this-device", text: "This device"}) : null),
				h("p", {class: "session-times"},
					h("span", {text: `Active ${sessionTime(session.lastSeenAt)}`}), " · ",
					h("span", {text: `since ${sessionTime(session.createdAt)}`}))),
			h("button", {type: "button", class: "secondary-button",
				"aria-label": session.current ? "Log out on this device" : `Log out ${name}, active ${sessionTime(session.lastSeenAt)}`,
				text: "Log out", onclick: (event) => this.endSession(session, event.currentTarget)}));
	}

	async endSession(session, button) {
		this.sessionsError.textContent = "";
		button.disabled = true;
		try {
			await api.endSession(session.id);
		} catch (error) {
			button.disabled = false;
			if (error.status === 401) return this.onLoggedOut();
			if (error.status !== 404) {
				this.sessionsError.textContent = error.message;
				return;
			}
			// Ended meanwhile: the list below shows what is left.
		}
		if (session.current) return this.onLoggedOut();
		this.loadSessions();
	}

	async endOtherSessions() {
		this.sessionsError.textContent = "";
		this.othersButton.disabled = true;
		try {
			await api.endOtherSessions();
		} catch (error) {
			if (error.status === 401) return this.onLoggedOut();
			this.sessionsError.textContent = error.message;
		} finally {
			this.othersButton.disabled = false;
		}
		this.loadSessions();
	}

	askDelete(asking) {
		const confirm = this.deleteForm.querySelector(".delete-confirm");
		clearErrors(this.deleteForm);
		this.deleteForm.reset();
		confirm.hidden = !asking;
		this.deleteForm.querySelector(".ask-delete").hidden = asking;
		if (asking) this.deleteForm.elements.password.focus();
		else this.deleteForm.querySelector(".ask-delete").focus();
	}

	async deleteAccount() {
		const form = this.deleteForm;
		clearErrors(form);
		const password = form.elements.password.value;
		if (!password) return showErrors(form, new ApiError(400, "validation_failed", "Enter your password to confirm.", "password"));
		await busy(form, async () => {
			try {
				await api.deleteAccount(password);
			} catch (error) {
				this.failed(form, error);
				return;
			}
			this.onLoggedOut();
		});
	}

	changed(user) {
		this.showUser(user);
		this.onUserChanged(user);
	}

	failed(form, error) {
		if (error.status === 401) return this.onLoggedOut();
		showErrors(form, error);
	}
}
