// The log-in and register screens.
import {api, ApiError} from "./api.js";
import {h, clear} from "./dom.js";

const MAX_IMAGE = 2 * 1024 * 1024;

export function field({id, label, type = "text", name, autocomplete, required, maxlength, minlength, hint}) {
	const errorId = `${id}-error`;
	const hintId = hint ? `${id}-hint` : null;
	const input = h("input", {
		id, name, type, autocomplete, required, maxlength, minlength,
		"aria-describedby": [hintId, errorId].filter(Boolean).join(" "),
	});
	return h("div", {class: "field"},
		h("label", {for: id, text: label}),
		input,
		hint ? h("p", {class: "field-hint", id: hintId, text: hint}) : null,
		h("p", {class: "field-error", id: errorId, role: "alert", "data-field": name}));
}

export function sentence(text) {
	const message = String(text || "Something went wrong.");
	return message.charAt(0).toUpperCase() + message.slice(1);
}

export function showErrors(form, error) {
	const general = form.querySelector(".form-error");
	let shown = false;
	if (error instanceof ApiError && error.field) {
		const name = error.field === "plainPassword" ? "password" : error.field;
		const slot = form.querySelector(`.field-error[data-field="${CSS.escape(name)}"]`);
		const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
		if (slot) {
			slot.textContent = sentence(error.message);
			if (input) {
				input.setAttribute("aria-invalid", "true");
				input.focus();
			}
			shown = true;
		}
	}
	if (!shown) general.textContent = sentence(error.message);
}

export function clearErrors(form) {
	for (const slot of form.querySelectorAll(".field-error, .form-error")) slot.textContent = "";
	for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
}

function shell(title, subtitle, form, footer) {
	return h("div", {class: "auth"},
		h("div", {class: "auth-band"}),
		h("main", {class: "auth-card"},
			h("div", {class: "brand"},
				h("img", {class: "brand-logo", src: "/assets/favicon.svg", alt: ""}),
				h("span", {text: "Palaver"})),
			h("h1", {text: title}),
			h("p", {class: "auth-subtitle", text: subtitle}),
			form,
			h("p", {class: "auth-footer"}, footer)));
}

function submitButton(text) {
	return h("button", {type: "submit", class: "primary", text});
}

/** Runs work with the form marked busy and its submit button (if any) disabled. */
export async function busy(form, work) {
	const button = form.querySelector("button[type=submit]");
	if (button) button.disabled = true;
	form.setAttribute("aria-busy", "true");
	try {
		await work();
	} finally {
		if (button) button.disabled = false;
		form.removeAttribute("aria-busy");
	}
}

export function renderLogin(root, onLoggedIn) {
	const form = h("form", {class: "auth-form", novalidate: true, "aria-label": "Log in"},
		field({id: "login-username", label: "User name", name: "username", autocomplete: "username", required: true, maxlength: 180}),
		field({id: "login-password", label: "Password", type: "password", name: "password", autocomplete: "current-password", required: true}),
		h("p", {class: "form-error", role: "alert"}),
		submitButton("Log in"));
	form.addEventListener("submit", (event) => {
		event.preventDefault();
		clearErrors(form);
		const userName = form.elements.username.value.trim();
		const password = form.elements.password.value;
		if (!userName) return showErrors(form, new ApiError(400, "validation_failed", "Enter your user name.", "username"));
		if (!password) return showErrors(form, new ApiError(400, "validation_failed", "Enter your password.", "password"));
		busy(form, async () => {
			try {
				const result = await api.login(userName, password);
				onLoggedIn(result.user);
			} catch (error) {
				showErrors(form, error);
			}
		});
	});
	clear(root).append(shell("Log in", "Chat with everyone on this server.", form,
		["New here? ", h("a", {href: "#register", text: "Create an account"})]));
	form.elements.username.focus();
}

export function renderRegister(root, onLoggedIn) {
	let previewUrl = null;
	const preview = h("span", {class: "avatar avatar-xl avatar-placeholder", "aria-hidden": "true"});
	const fileInput = h("input", {id: "register-image", name: "image", type: "file", accept: "image/jpeg,image/png",
		"aria-describedby": "register-image-hint register-image-error"});
	const form = h("form", {class: "auth-form", novalidate: true, "aria-label": "Register"},
		h("div", {class: "avatar-picker"},
			preview,
			h("div", {class: "field"},
				h("label", {for: "register-image", text: "Profile picture (optional)"}),
				fileInput,
				h("p", {class: "field-hint", id: "register-image-hint", text: "JPEG or PNG, at most 2 MiB."}),
				h("p", {class: "field-error", id: "register-image-error", role: "alert", "data-field": "image"}))),
		field({id: "register-username", label: "User name", name: "username", autocomplete: "username", required: true, maxlength: 180}),
		field({id: "register-password", label: "Password", type: "password", name: "password", autocomplete: "new-password",
			required: true, minlength: 6, maxlength: 4096, hint: "At least 6 characters."}),
		field({id: "register-info", label: "About you", name: "info", maxlength: 255, hint: "Shown to your contacts, e.g. “Available”."}),
		h("p", {class: "form-error", role: "alert"}),
		submitButton("Create account"));

	fileInput.addEventListener("change", () => {
		clearErrors(form);
		if (previewUrl) URL.revokeObjectURL(previewUrl);
		previewUrl = null;
		const file = fileInput.files[0];
		let next;
		if (!file) {
			next = h("span", {class: "avatar avatar-xl avatar-placeholder", "aria-hidden": "true"});
		} else if (!/^image\/(jpeg|png)$/.test(file.type)) {
			next = h("span", {class: "avatar avatar-xl avatar-placeholder", "aria-hidden": "true"});
			showErrors(form, new ApiError(400, "validation_failed", "Choose a JPEG or PNG picture.", "image"));
		} else if (file.size > MAX_IMAGE) {
			next = h("span", {class: "avatar avatar-xl avatar-placeholder", "aria-hidden": "true"});
			showErrors(form, new ApiError(413, "too_large", "That picture is larger than 2 MiB.", "image"));
		} else {
			previewUrl = URL.createObjectURL(file);
			next = h("img", {class: "avatar avatar-xl avatar-preview", src: previewUrl, alt: "Preview of your profile picture"});
			next.addEventListener("error", () => {
				next.replaceWith(h("span", {class: "avatar avatar-xl avatar-placeholder", "aria-hidden": "true"}));
				showErrors(form, new ApiError(400, "validation_failed", "That file is not a picture the browser can show.", "image"));
			}, {once: true});
		}
		form.querySelector(".avatar-picker > .avatar").replaceWith(next);
	});

	form.addEventListener("submit", (event) => {
		event.preventDefault();
		clearErrors(form);
		const userName = form.elements.username.value.trim();
		const password = form.elements.password.value;
		if (!userName) return showErrors(form, new ApiError(400, "validation_failed", "Choose a user name.", "username"));
		if (password.length < 6) return showErrors(form, new ApiError(400, "validation_failed", "The password needs at least 6 characters.", "password"));
		const file = fileInput.files[0];
		if (file && file.size > MAX_IMAGE) return showErrors(form, new ApiError(413, "too_large", "That picture is larger than 2 MiB.", "image"));
		const data = new FormData();
		data.set("username", userName);
		data.set("password", password);
		data.set("info", form.elements.info.value.trim());
		if (file) data.set("image", file, file.name);
		busy(form, async () => {
			try {
				const result = await api.register(data);
				if (previewUrl) URL.revokeObjectURL(previewUrl);
				onLoggedIn(result.user);
			} catch (error) {
				showErrors(form, error);
			}
		});
	});
	clear(root).append(shell("Create your account", "Pick a name your contacts will recognise.", form,
		["Already registered? ", h("a", {href: "#login", text: "Log in"})]));
	form.elements.username.focus();
}
