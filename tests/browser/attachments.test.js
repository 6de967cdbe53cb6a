// Photos and files (PROTOCOL.md Part 2 "Attachments", issue 17): a photo with
// a caption through the attach button, seen live by the other side as a
// thumbnail that opens the full image; an image pasted into the composer; a
// file dropped on the conversation shown with its name, size and a working
// download; an upload's progress and its cancel on a slow uplink; the same
// bubbles from history after a reload and from the replay after a dropped
// connection; a photo in a group; an upload past [attachments] max_size
// refused in plain words; and a phone-sized screen.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {after, before, describe, it} from "node:test";
import {contactButton, eventually, openChat, openPage, registerInBrowser, screenshot, writeAvatarPng} from "./lib/browser.js";
import {binaryDir} from "./lib/palaverd.js";
import {externalUrl, useServerAndBrowser} from "./lib/setup.js";

const MAX_SIZE = 200000;
const pluginMissing = !externalUrl && !fs.existsSync(path.join(binaryDir, "lib", "palaver", "palaver-attachments.so"))
	? "palaver-attachments.so is not built (libvips-dev missing?)" : false;

/** A real JPEG (a sunset with a sea), drawn and encoded by the browser. */
async function writeJpeg(page, file, width, height) {
	const base64 = await page.evaluate(async ([w, h]) => {
		const canvas = document.createElement("canvas");
		canvas.width = w;
		canvas.height = h;
		const context = canvas.getContext("2d");
		const sky = context.createLinearGradient(0, 0, 0, h);
		sky.addColorStop(0, "#ff7e5f");
		sky.addColorStop(0.6, "#feb47b");
		context.fillStyle = sky;
		context.fillRect(0, 0, w, h);
		context.fillStyle = "#ffe29a";
		context.beginPath();
		context.arc(w / 2, h * 0.6, h / 6, 0, 2 * Math.PI);
		context.fill();
		context.fillStyle = "#1f6f8b";
		context.fillRect(0, h * 0.62, w, h * 0.38);
		const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
		const bytes = new Uint8Array(await blob.arrayBuffer());
		let binary = "";
		for (const byte of bytes) binary += String.fromCharCode(byte);
		return btoa(binary);
	}, [width, height]);
	fs.writeFileSync(file, Buffer.from(base64, "base64"));
	return file;
}

/** Hands files to the page as the clipboard (paste into the composer) or a drop on the conversation would. */
async function transferFiles(page, how, files) {
	const payload = files.map(({name, type, bytes}) => ({name, type, base64: bytes.toString("base64")}));
	await page.evaluate(([kind, items]) => {
		const transfer = new DataTransfer();
		for (const item of items) {
			const bytes = Uint8Array.from(atob(item.base64), (c) => c.charCodeAt(0));
			transfer.items.add(new File([bytes], item.name, {type: item.type}));
		}
		if (kind === "paste") {
			document.getElementById("composer-text").dispatchEvent(new ClipboardEvent("paste", {clipboardData: transfer, bubbles: true, cancelable: true}));
			return;
		}
		const target = document.querySelector(".messages");
		for (const type of ["dragenter", "dragover", "drop"]) {
			target.dispatchEvent(new DragEvent(type, {dataTransfer: transfer, bubbles: true, cancelable: true}));
		}
	}, [how, payload]);
}

/** Attaches files through the composer's attach button (the file chooser it opens). */
async function attachThroughButton(page, files) {
	const chooser = page.waitForEvent("filechooser");
	await page.getByRole("button", {name: "Attach a photo or file"}).click();
	await (await chooser).setFiles(files);
}

/** Waits until the image in the locator is decoded; its natural width. */
async function loadedWidth(image) {
	await image.waitFor();
	await image.evaluate((element) => element.complete && element.naturalWidth > 0 ? null
		: new Promise((resolve, reject) => {
			element.addEventListener("load", resolve, {once: true});
			element.addEventListener("error", () => reject(new Error(`image failed: ${element.src}`)), {once: true});
		}));
	return image.evaluate((element) => element.naturalWidth);
}

describe("photos and files", {skip: pluginMissing}, () => {
	const fixture = useServerAndBrowser({extraArguments: ["--attachments.enabled=true", `--attachments.max_size=${MAX_SIZE}`]});
	const suffix = Date.now().toString(36).slice(-5);
	const names = {ana: `ana_${suffix}`, ben: `ben_${suffix}`, cai: `cai_${suffix}`};
	const folder = fs.mkdtempSync(path.join(os.tmpdir(), "palaver-attachments-"));
	const notes = "Lista de la compra:\n- pan\n- aceitunas\n";
	let ana;
	let ben;
	let photo;

	before(async () => {
		ana = await openPage(fixture.browser, fixture.baseUrl);
		ben = await openPage(fixture.browser, fixture.baseUrl);
		await registerInBrowser(ben, {userName: names.ben, info: "En la playa"});
		await registerInBrowser(ana, {userName: names.ana, info: "Fotógrafa"});
		await openChat(ana, names.ben);
		await openChat(ben, names.ana);
		photo = await writeJpeg(ana, path.join(folder, "playa.jpg"), 1200, 800);
		assert.ok(fs.statSync(photo).size < MAX_SIZE, "the photo fits max_size");
	});

	after(async () => {
		for (const page of [ana, ben]) if (page) await page.context().close().catch(() => {});
		fs.rmSync(folder, {recursive: true, force: true});
	});

	it("sends a photo with a caption that the other side sees live and opens", async () => {
		await ana.getByLabel("Message", {exact: true}).fill("Atardecer en la playa 🌅");
		await attachThroughButton(ana, photo);
		const own = ana.locator(".message-row.own", {hasText: "Atardecer en la playa"});
		await own.locator(".ticks.sent, .ticks.read").waitFor();
		assert.ok(await loadedWidth(own.locator(".photo img")) > 0);
		assert.equal(await ana.getByLabel("Message", {exact: true}).inputValue(), "", "the caption left the composer");

		const theirs = ben.locator(".message-row.theirs", {hasText: "Atardecer en la playa"});
		const thumbnail = theirs.locator(".photo img");
		const thumbnailWidth = await loadedWidth(thumbnail);
		assert.ok(thumbnailWidth > 0 && thumbnailWidth <= 320, `a thumbnail, ${thumbnailWidth} px wide`);
		assert.match(await thumbnail.getAttribute("src"), /\/attachments\/[A-Za-z0-9_-]+\/thumbnail$/);
		// The box has the photo's shape (3:2) before and after it loads.
		const box = await theirs.locator(".photo-frame").boundingBox();
		assert.ok(Math.abs(box.width / box.height - 1.5) < 0.02, `a 3:2 box, ${box.width}×${box.height}`);
		await screenshot(ana, "60-attachments-photo-sent");
		await screenshot(ben, "61-attachments-photo-received");

		// The lightbox: the full image, closed with Escape; focus goes back to the photo.
		await theirs.getByRole("button", {name: "Open photo playa.jpg"}).click();
		const dialog = ben.getByRole("dialog", {name: "playa.jpg"});
		assert.equal(await loadedWidth(dialog.locator("img")), 1200);
		await screenshot(ben, "62-attachments-lightbox");
		await ben.keyboard.press("Escape");
		await dialog.waitFor({state: "detached"});
		assert.equal(await ben.evaluate(() => document.activeElement.classList.contains("photo")), true);
		// Keyboard only: Enter opens it, the close button closes it.
		await ben.keyboard.press("Enter");
		await dialog.getByRole("button", {name: "Close photo"}).press("Enter");
		await dialog.waitFor({state: "detached"});
		// The conversation is still open (Escape in the lightbox closed only the lightbox).
		await ben.locator(".conversation-name", {hasText: names.ana}).waitFor();
		for (const page of [ana, ben]) assert.deepEqual(page.problems, []);
	});

	it("sends an image pasted into the composer and a file dropped on the chat", async () => {
		const pasted = fs.readFileSync(writeAvatarPng(path.join(folder, "pasted.png"), 96));
		await transferFiles(ana, "paste", [{name: "image.png", type: "image/png", bytes: pasted}]);
		const pastedRow = ben.locator(".message-row.theirs .bubble.has-image.no-caption");
		assert.ok(await loadedWidth(pastedRow.locator("img")) > 0);

		await transferFiles(ana, "drop", [{name: "compra.txt", type: "text/plain", bytes: Buffer.from(notes)}]);
		const file = ben.locator(".message-row.theirs .file-card", {hasText: "compra.txt"});
		await file.locator(".file-icon", {hasText: "TXT"}).waitFor();
		assert.equal(await file.locator(".file-size").textContent(), `${Buffer.byteLength(notes)} bytes`);
		const download = ben.waitForEvent("download");
		await file.getByRole("link", {name: "Download compra.txt"}).click();
		const saved = await download;
		assert.equal(saved.suggestedFilename(), "compra.txt");
		assert.equal(fs.readFileSync(await saved.path(), "utf8"), notes);
		// The chat list says what the last message carries.
		await contactButton(ben, names.ana).locator(".contact-preview", {hasText: "📄 compra.txt"}).waitFor();
		await screenshot(ben, "63-attachments-file");
		for (const page of [ana, ben]) assert.deepEqual(page.problems, []);
	});

	it("shows an upload's progress and cancels it", async () => {
		// A slow uplink (about 8 KB/s), so that the upload is seen under way.
		const network = await ana.context().newCDPSession(ana);
		await network.send("Network.enable");
		await network.send("Network.emulateNetworkConditions", {offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 8000});
		const slow = await writeJpeg(ana, path.join(folder, "lenta.jpg"), 1600, 1200);
		await attachThroughButton(ana, slow);
		const pending = ana.locator(".message-row.pending .bubble.has-image");
		const progress = pending.getByRole("progressbar", {name: "Uploading lenta.jpg"});
		await progress.waitFor();
		await eventually(async () => Number(await progress.evaluate((bar) => bar.value)) > 0, {message: "upload progress"});
		await screenshot(ana, "64-attachments-uploading");
		await pending.getByRole("button", {name: "Cancel sending lenta.jpg"}).click();
		await pending.waitFor({state: "detached"});
		await network.send("Network.emulateNetworkConditions", {offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1});
		await network.detach();
		// Nothing reached ben: his last message is still the file.
		await contactButton(ben, names.ana).locator(".contact-preview", {hasText: "📄 compra.txt"}).waitFor();
		assert.equal(await ana.locator(".composer-error").textContent(), "");
		for (const page of [ana, ben]) assert.deepEqual(page.problems, []);
	});

	it("shows the same bubbles from history after a reload", async () => {
		await ben.reload();
		await openChat(ben, names.ana);
		const photos = ben.locator(".message-row.theirs .photo img");
		await ben.locator(".message-row.theirs .file-card", {hasText: "compra.txt"}).waitFor();
		assert.equal(await photos.count(), 2);
		for (let index = 0; index < 2; index++) assert.ok(await loadedWidth(photos.nth(index)) > 0);
		await ben.locator(".message-row.theirs", {hasText: "Atardecer en la playa"}).locator(".photo").waitFor();
		assert.deepEqual(ben.problems, []);
	});

	it("brings a photo sent while the connection was down with the replay", async () => {
		// cai's WebSocket goes through a relay the test controls: it drops
		// the connection, and holds the next one (open for the page, nothing
		// reaches the server) until the photo is sent.
		const cai = await openPage(fixture.browser, fixture.baseUrl);
		let current = null;
		let hold = false;
		await cai.routeWebSocket(/\/ws(\?|$)/, (socket) => {
			current = socket;
			if (!hold) socket.connectToServer();
		});
		try {
			await registerInBrowser(cai, {userName: names.cai, info: "A ratos sin cobertura"});
			await openChat(ana, names.cai);
			await openChat(cai, names.ana);
			// A live message first: the reconnection then asks for what came after it (?since=).
			await ana.getByLabel("Message", {exact: true}).fill("¿Me oyes?");
			await ana.getByLabel("Message", {exact: true}).press("Enter");
			await cai.locator(".message-row.theirs", {hasText: "¿Me oyes?"}).waitFor();
			hold = true;
			const dropped = current;
			dropped.close();
			await eventually(() => current !== dropped, {message: "a new connection"});
			await ana.getByLabel("Message", {exact: true}).fill("Sin cobertura");
			await attachThroughButton(ana, photo);
			await ana.locator(".message-row.own:not(.pending)", {hasText: "Sin cobertura"}).locator(".photo img").waitFor();
			assert.equal(await cai.locator(".message-row", {hasText: "Sin cobertura"}).count(), 0);
			hold = false;
			current.close();
			await eventually(() => /[?&]since=[1-9]/.test(current.url()), {message: "a reconnection with ?since="});
			const replayed = cai.locator(".message-row.theirs", {hasText: "Sin cobertura"});
			assert.ok(await loadedWidth(replayed.locator(".photo img")) > 0);
			assert.deepEqual(cai.problems, []);
		} finally {
			await cai.context().close();
		}
	});

	it("sends a photo in a group", async () => {
		const group = await ana.evaluate(async (benName) => {
			const contacts = await (await fetch("/contacts")).json();
			const ben = contacts.find((user) => user.userName === benName);
			const response = await fetch("/groups", {method: "POST", headers: {"Content-Type": "application/json"},
				body: JSON.stringify({name: "Vacaciones", memberIds: [ben.id]})});
			return response.json();
		}, names.ben);
		assert.ok(group.id);
		await openChat(ana, "Vacaciones");
		await attachThroughButton(ana, photo);
		await openChat(ben, "Vacaciones");
		const theirs = ben.locator(".message-row.theirs .bubble.has-image");
		await theirs.locator(".sender-name", {hasText: names.ana}).waitFor();
		assert.ok(await loadedWidth(theirs.locator("img")) > 0);
		await contactButton(ana, "Vacaciones").locator(".contact-preview", {hasText: "📷 Photo"}).waitFor();
		await screenshot(ben, "65-attachments-group");
		for (const page of [ana, ben]) assert.deepEqual(page.problems, []);
	});

	it("says in plain words that a file is too large, and sends nothing", async () => {
		await openChat(ana, names.ben);
		const big = path.join(folder, "video.mp4");
		fs.writeFileSync(big, Buffer.alloc(3 * MAX_SIZE, 7));
		const before = await ana.locator(".message-row").count();
		await ana.getByLabel("Message", {exact: true}).fill("el vídeo");
		await attachThroughButton(ana, big);
		await ana.locator(".composer-error", {hasText: "“video.mp4” is too large to send"}).waitFor();
		await ana.locator(".message-row.pending").waitFor({state: "detached"});
		assert.equal(await ana.locator(".message-row").count(), before);
		// The caption is given back to try again with something smaller.
		assert.equal(await ana.getByLabel("Message", {exact: true}).inputValue(), "el vídeo");
		await screenshot(ana, "66-attachments-too-large");
		assert.deepEqual(ana.problems, []);
	});

	it("works on a phone-sized screen", async () => {
		await ben.setViewportSize({width: 390, height: 844});
		await ben.reload();
		await contactButton(ben, names.ana).click();
		const photoButton = ben.locator(".message-row.theirs", {hasText: "Atardecer en la playa"}).locator(".photo");
		await photoButton.scrollIntoViewIfNeeded();
		assert.ok(await loadedWidth(photoButton.locator("img")) > 0);
		// The bubble fits the screen.
		const bubble = await ben.locator(".message-row.theirs .bubble.has-image").first().boundingBox();
		assert.ok(bubble.x >= 0 && bubble.x + bubble.width <= 390, `inside the screen: ${JSON.stringify(bubble)}`);
		await ben.locator(".messages").evaluate((element) => { element.scrollTop = element.scrollHeight; });
		await screenshot(ben, "67-attachments-mobile");
		await photoButton.click();
		const image = ben.getByRole("dialog").locator("img");
		assert.equal(await loadedWidth(image), 1200);
		const shown = await image.boundingBox();
		assert.ok(shown.width <= 390, `the full photo fits the screen: ${shown.width}`);
		await screenshot(ben, "68-attachments-mobile-lightbox");
		await ben.getByRole("button", {name: "Close photo"}).click();
		assert.deepEqual(ben.problems, []);
	});
});
