// Debian's Chromium driven by playwright-core (no browser download), plus the
// helpers the scenarios share.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import {chromium} from "playwright-core";
import {binaryDir} from "./palaverd.js";

export const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
export const screenshotDir = process.env.PALAVER_SCREENSHOT_DIR || path.join(binaryDir, "browser-screenshots");

export async function launchBrowser() {
	return chromium.launch({
		executablePath: chromiumPath,
		headless: true,
		args: [
			"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--disable-dev-shm-usage",
		],
	});
}

/**
 * A page of its own (own cookies) that records what must never happen:
 * dialogs (alert from injected script), page errors, CSP violations and
 * requests leaving the server's origin.
 */
export async function openPage(browser, baseUrl, {viewport = {width: 1280, height: 800}} = {}) {
	const context = await browser.newContext({viewport, baseURL: baseUrl, locale: "en-GB", timezoneId: "UTC"});
	const page = await context.newPage();
	page.problems = [];
	page.on("dialog", (dialog) => {
		page.problems.push(`dialog: ${dialog.type()} ${dialog.message()}`);
		dialog.dismiss().catch(() => {});
	});
	page.on("pageerror", (error) => page.problems.push(`page error: ${error.message}`));
	page.on("console", (message) => {
		const text = message.text();
		if (/Content Security Policy|Refused to/i.test(text)) page.problems.push(`csp: ${text}`);
	});
	const origin = new URL(baseUrl).host;
	page.on("request", (request) => {
		const url = new URL(request.url());
		if (!["data:", "blob:"].includes(url.protocol) && url.host !== origin) page.problems.push(`external request: ${request.url()}`);
	});
	page.setDefaultTimeout(10000);
	return page;
}

export async function screenshot(page, name) {
	fs.mkdirSync(screenshotDir, {recursive: true});
	const file = path.join(screenshotDir, `${name}.png`);
	await page.screenshot({path: file});
	return file;
}

/** Registers through the register screen; image is a file path or null. */
export async function registerInBrowser(page, {userName, password = "secret123", info = "", image = null}) {
	await page.goto("/");
	await page.getByRole("link", {name: "Create an account"}).click();
	await page.getByLabel("User name").fill(userName);
	await page.getByLabel("Password").fill(password);
	await page.getByLabel("About you").fill(info);
	if (image) await page.getByLabel("Profile picture (optional)").setInputFiles(image);
	await page.getByRole("button", {name: "Create account"}).click();
	await page.locator(".me-name", {hasText: userName}).waitFor();
}

export function contactButton(page, userName) {
	return page.locator(".contact").filter({has: page.locator(".contact-name", {hasText: new RegExp(`^${escapeRegExp(userName)}$`)})});
}

export async function openChat(page, userName) {
	await contactButton(page, userName).click();
	await page.locator(".conversation-name", {hasText: userName}).waitFor();
}

export async function sendMessage(page, text) {
	const box = page.getByLabel("Message", {exact: true});
	await box.fill(text);
	await box.press("Enter");
}

export function escapeRegExp(text) {
	return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A small valid PNG (a coloured disc on white), written to file. */
export function writeAvatarPng(file, size = 64) {
	const rows = [];
	for (let y = 0; y < size; y++) {
		const row = Buffer.alloc(1 + size * 3);
		for (let x = 0; x < size; x++) {
			const inside = (x - size / 2) ** 2 + (y - size / 2) ** 2 < (size * 0.42) ** 2;
			const [r, g, b] = inside ? [0x7f, 0x66, 0xff] : [0xff, 0xff, 0xff];
			row.writeUInt8(r, 1 + x * 3);
			row.writeUInt8(g, 2 + x * 3);
			row.writeUInt8(b, 3 + x * 3);
		}
		rows.push(row);
	}
	const chunk = (type, data) => {
		const length = Buffer.alloc(4);
		length.writeUInt32BE(data.length);
		const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
		const crc = Buffer.alloc(4);
		crc.writeUInt32BE(crc32(body));
		return Buffer.concat([length, body, crc]);
	};
	const header = Buffer.alloc(13);
	header.writeUInt32BE(size, 0);
	header.writeUInt32BE(size, 4);
	header.writeUInt8(8, 8);   // bit depth
	header.writeUInt8(2, 9);   // colour type: RGB
	const png = Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk("IHDR", header),
		chunk("IDAT", zlib.deflateSync(Buffer.concat(rows))),
		chunk("IEND", Buffer.alloc(0)),
	]);
	fs.writeFileSync(file, png);
	return file;
}

function crc32(buffer) {
	let crc = 0xffffffff;
	for (const byte of buffer) {
		crc ^= byte;
		for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
	}
	return (crc ^ 0xffffffff) >>> 0;
}

/** Polls fn until it returns a truthy value (bounded). */
export async function eventually(fn, {timeoutMs = 10000, intervalMs = 100, message = "condition"} = {}) {
	const deadline = Date.now() + timeoutMs;
	let last;
	while (Date.now() < deadline) {
		last = await fn();
		if (last) return last;
		await new Promise((resolve) => setTimeout(resolve, intervalMs));
	}
	throw new Error(`timed out waiting for ${message}`);
}
