// Building DOM nodes without ever parsing HTML: every string becomes text.

/**
 * h("div", {class: "x", onclick: fn}, "text", child, [more, children])
 * Attributes: "class", "text" (textContent), "on*" (listeners), booleans
 * (true sets, false/null/undefined skips), anything else via setAttribute.
 */
export function h(tag, attributes, ...children) {
	const element = document.createElement(tag);
	for (const [name, value] of Object.entries(attributes || {})) {
		if (value === undefined || value === null || value === false) continue;
		if (name === "class") element.className = value;
		else if (name === "text") element.textContent = String(value);
		else if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
		else if (value === true) element.setAttribute(name, "");
		else element.setAttribute(name, String(value));
	}
	append(element, children);
	return element;
}

export function append(parent, children) {
	for (const child of children.flat(Infinity)) {
		if (child === undefined || child === null || child === false) continue;
		parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
	}
	return parent;
}

export function clear(element) {
	element.replaceChildren();
	return element;
}

/** Initials for an avatar without a picture: "Ana María" -> "AM". */
export function initials(name) {
	const words = String(name || "?").trim().split(/\s+/u).filter(Boolean);
	const letters = words.slice(0, 2).map((word) => Array.from(word)[0] || "");
	return (letters.join("") || "?").toUpperCase();
}

/** A stable colour class (avatar-c0 .. avatar-c7) for a name. */
export function colourClass(name) {
	let hash = 0;
	for (const ch of String(name || "")) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
	return `avatar-c${hash % 8}`;
}

export function imageUrl(image) {
	return `/img/${encodeURIComponent(image)}`;
}

/** An avatar: the user's picture, or their initials on a coloured disc. */
export function avatar(user, size = "md") {
	const name = user ? user.userName : "?";
	if (user && user.image) {
		const img = h("img", {class: `avatar avatar-${size}`, src: imageUrl(user.image), alt: "", loading: "lazy", decoding: "async"});
		img.addEventListener("error", () => img.replaceWith(initialsAvatar(name, size)), {once: true});
		return img;
	}
	return initialsAvatar(name, size);
}

function initialsAvatar(name, size) {
	return h("span", {class: `avatar avatar-${size} avatar-initials ${colourClass(name)}`, "aria-hidden": "true", text: initials(name)});
}
