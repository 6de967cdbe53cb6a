// Two (then three) people chatting in Chromium against the real palaverd.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {after, before, describe, it} from "node:test";
import {ApiClient} from "./lib/api.js";
import {
	contactButton, eventually, openChat, openPage, registerInBrowser, screenshot, sendMessage, writeAvatarPng,
} from "./lib/browser.js";
import {externalUrl, useServerAndBrowser} from "./lib/setup.js";

// With PALAVER_TEST_URL (an already running server) the restart scenario is skipped.

describe("chat between two browsers", () => {
	const fixture = useServerAndBrowser();
	let baseUrl;
	let alice;
	let bob;
	let carol;
	const suffix = Date.now().toString(36).slice(-5);
	const names = {alice: `alice_${suffix}`, bob: `bob_${suffix}`, carol: `carol_${suffix}`, dave: `dave_${suffix}`, erin: `erin_${suffix}`};
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "palaver-avatar-"));

	before(async () => {
		baseUrl = fixture.baseUrl;
		alice = await openPage(fixture.browser, baseUrl);
		bob = await openPage(fixture.browser, baseUrl);
	});

	after(async () => {
		if (carol) await carol.context().close();
		fs.rmSync(tmp, {recursive: true, force: true});
	});

	it("serves the client with its security headers", async () => {
		const response = await fetch(`${baseUrl}/`);
		assert.equal(response.status, 200);
		assert.match(response.headers.get("content-type"), /^text\/html/);
		assert.match(response.headers.get("content-security-policy") || "", /script-src 'self'/);
	});

	it("registers one user with an avatar and one without", async () => {
		const image = writeAvatarPng(path.join(tmp, "alice.png"));
		await alice.goto("/");
		await alice.getByRole("link", {name: "Create an account"}).click();
		await alice.getByLabel("Profile picture (optional)").setInputFiles(image);
		await alice.locator("img.avatar-preview").waitFor();
		await alice.getByLabel("User name").fill(names.alice);
		await alice.getByLabel("Password").fill("secret123");
		await alice.getByLabel("About you").fill("Hey there! I am using Palaver.");
		await screenshot(alice, "01-register-with-avatar");
		await alice.getByRole("button", {name: "Create account"}).click();
		await alice.locator(".me-name", {hasText: names.alice}).waitFor();
		// Her own avatar is the uploaded picture, served by the server.
		const src = await alice.locator(".sidebar-header img.avatar").getAttribute("src");
		assert.match(src, /^\/img\//);
		await eventually(() => alice.locator(".sidebar-header img.avatar").evaluate((img) => img.complete && img.naturalWidth > 0),
			{message: "avatar image loaded"});

		await registerInBrowser(bob, {userName: names.bob, info: "Busy"});
	});

	it("shows each user to the other, the newcomer live", async () => {
		// bob registered after alice's page loaded: usermsg adds him live.
		await contactButton(alice, names.bob).waitFor();
		await contactButton(bob, names.alice).waitFor();
		// bob sees alice's picture in his list.
		await eventually(() => contactButton(bob, names.alice).locator("img.avatar").evaluate((img) => img.complete && img.naturalWidth > 0),
			{message: "alice's avatar in bob's list"});
		// The search box filters the list.
		await alice.getByLabel("Search contacts").fill("zzz-nobody");
		await alice.locator(".contacts-empty", {hasText: "No chat or contact matches"}).waitFor();
		assert.equal(await contactButton(alice, names.bob).count(), 0);
		await alice.getByLabel("Search contacts").fill(names.bob.slice(0, 5));
		await contactButton(alice, names.bob).waitFor();
		await alice.getByLabel("Search contacts").fill("");
	});

	it("delivers messages live both ways, with typing and read ticks", async () => {
		await openChat(alice, names.bob);
		await sendMessage(alice, "Hi Bob! 👋");
		const own = alice.locator(".message-row.own", {hasText: "Hi Bob! 👋"});
		await own.waitFor();
		await own.locator(".ticks.sent").waitFor();

		// bob has not opened the chat: an unread badge and the preview.
		const aliceInBobsList = contactButton(bob, names.alice);
		await aliceInBobsList.locator(".unread-badge", {hasText: "1"}).waitFor();
		await aliceInBobsList.locator(".contact-preview", {hasText: "Hi Bob!"}).waitFor();
		assert.equal(await bob.title(), "(1) Palaver");
		await screenshot(bob, "02-unread-badge");

		// bob opens it: he sees the message; alice sees the read ticks.
		await openChat(bob, names.alice);
		await bob.locator(".message-row.theirs", {hasText: "Hi Bob! 👋"}).waitFor();
		await own.locator(".ticks.read").waitFor();

		// Rows are updated in place, not rebuilt: the live region announces only new messages.
		await own.evaluate((row) => { row.dataset.probe = "kept"; });

		// bob types: alice sees "typing…".
		await bob.getByLabel("Message", {exact: true}).pressSequentially("Hello Al", {delay: 30});
		await alice.locator(".conversation-status.typing", {hasText: "typing…"}).waitFor();
		await screenshot(alice, "03-typing");
		await bob.getByLabel("Message", {exact: true}).fill("Hello Alice, nice to meet you.\nHow are you?");
		await bob.getByLabel("Message", {exact: true}).press("Enter");
		await alice.locator(".message-row.theirs", {hasText: "Hello Alice, nice to meet you."}).waitFor();
		// Once the message is there, "typing…" is gone.
		await alice.locator(".conversation-status.typing").waitFor({state: "detached", timeout: 6000}).catch(async () => {
			assert.notEqual(await alice.locator(".conversation-status").textContent(), "typing…");
		});
		assert.equal(await alice.locator(".message-row[data-probe=kept]", {hasText: "Hi Bob!"}).count(), 1);
		await bob.locator(".message-row.own", {hasText: "How are you?"}).locator(".ticks.read").waitFor();
		await sendMessage(alice, "Great, thanks! Palaver works.");
		await bob.locator(".message-row.theirs", {hasText: "Great, thanks!"}).waitFor();
		await screenshot(alice, "04-conversation-alice");
		await screenshot(bob, "05-conversation-bob");
	});

	it("shows markup in a message as text, never running it", async () => {
		const evil = "<img src=x onerror=alert(1)> <script>alert(2)</script> <b>bold?</b>";
		await sendMessage(alice, evil);
		const received = bob.locator(".message-row.theirs .text").filter({hasText: "<img src=x onerror=alert(1)>"});
		await received.waitFor();
		assert.equal(await received.textContent(), evil);
		assert.equal(await bob.locator(".message-list img, .message-list script, .message-list b").count(), 0);
		await bob.waitForTimeout(300);  // an onerror handler would have fired by now
		assert.deepEqual(bob.problems, []);
		assert.deepEqual(alice.problems, []);
		await screenshot(bob, "06-markup-as-text");
	});

	it("adds a third user live to both lists", async () => {
		carol = await openPage(fixture.browser, baseUrl);
		// The server's refusals are shown next to the field they name.
		await carol.goto("/#register");
		await carol.getByLabel("User name").fill(names.bob);
		await carol.getByLabel("Password").fill("secret123");
		await carol.getByRole("button", {name: "Create account"}).click();
		await carol.locator("#register-username-error", {hasText: /taken/}).waitFor();
		assert.equal(await carol.getByLabel("User name").getAttribute("aria-invalid"), "true");
		const fake = path.join(tmp, "not-a-picture.png");
		fs.writeFileSync(fake, "this is text, not a PNG");
		await carol.getByLabel("Profile picture (optional)").setInputFiles(fake);
		await carol.getByLabel("User name").fill(names.carol);
		await carol.getByRole("button", {name: "Create account"}).click();
		await carol.locator("#register-image-error:not(:empty)").waitFor();
		await screenshot(carol, "07a-register-errors");
		await registerInBrowser(carol, {userName: names.carol, info: "New in town"});
		await contactButton(alice, names.carol).waitFor();
		await contactButton(bob, names.carol).waitFor();
		await contactButton(carol, names.alice).waitFor();
		await contactButton(carol, names.bob).waitFor();
		// Presence: carol is online, as seen by alice.
		await contactButton(alice, names.carol).locator(".online-dot").waitFor();
		await screenshot(alice, "07-third-user");
	});

	it("survives a server restart by reconnecting", {skip: externalUrl ? "needs its own server" : false}, async () => {
		const {server} = fixture;
		// carol's session ends while her page stays open: after the restart her
		// page cannot reconnect and must go back to the log-in screen.
		assert.equal(await carol.evaluate(() => fetch("/logout", {method: "POST"}).then((response) => response.status)), 204);
		// dave has received nothing live yet (no id to catch up from): what
		// erin sends him right after the restart must still reach his page.
		const erin = new ApiClient(baseUrl);
		await erin.register(names.erin);
		const dave = await openPage(fixture.browser, baseUrl);
		await registerInBrowser(dave, {userName: names.dave});
		const daveUser = await dave.evaluate(() => fetch("/me").then((response) => response.json()));
		await contactButton(dave, names.erin).waitFor();
		const exit = await server.stop();
		assert.equal(exit.code, 0, `palaverd exit: ${JSON.stringify(exit)}\n${server.output}`);
		const banner = alice.locator(".connection-banner");
		await banner.waitFor({state: "visible"});
		assert.match(await banner.textContent(), /Offline|Connecting/);
		// A message sent while the server is away fails visibly (with a Retry button).
		await sendMessage(alice, "Sent while you were away");
		const failed = alice.locator(".message-row.pending", {hasText: "Sent while you were away"});
		await failed.getByRole("button", {name: "Not sent. Retry"}).waitFor();
		await screenshot(alice, "08-offline");
		await server.start();
		await erin.send(daveUser.id, "Did you miss me?");
		await banner.waitFor({state: "hidden", timeout: 30000});
		// Sent again by itself once the connection is back.
		await bob.locator(".message-row.theirs", {hasText: "Sent while you were away"}).waitFor();
		await alice.locator(".message-row.own:not(.pending)", {hasText: "Sent while you were away"}).locator(".ticks").waitFor();
		assert.equal(await alice.locator(".message-row", {hasText: "Sent while you were away"}).count(), 1);
		await bob.locator(".connection-banner").waitFor({state: "hidden", timeout: 30000});
		await sendMessage(bob, "Still there after the restart?");
		await alice.locator(".message-row.theirs", {hasText: "Still there after the restart?"}).waitFor();
		// History from before the restart is still shown.
		await alice.locator(".message-row", {hasText: "Hi Bob! 👋"}).waitFor();
		await screenshot(alice, "09-after-restart");
		await contactButton(dave, names.erin).locator(".contact-preview", {hasText: "Did you miss me?"}).waitFor({timeout: 30000});
		assert.deepEqual(dave.problems, []);
		await dave.context().close();
		await carol.getByRole("button", {name: "Log in"}).waitFor({timeout: 20000});
		assert.deepEqual(carol.problems, []);
		assert.deepEqual(alice.problems, []);
		assert.deepEqual(bob.problems, []);
	});

	it("logs out and back in", async () => {
		await alice.getByRole("button", {name: "Log out"}).click();
		await alice.getByRole("button", {name: "Log in"}).waitFor();
		await alice.getByLabel("User name").fill(names.alice);
		await alice.getByLabel("Password").fill("wrong-password");
		await alice.getByRole("button", {name: "Log in"}).click();
		await alice.locator(".field-error:not(:empty), .form-error:not(:empty)").first().waitFor();
		await screenshot(alice, "10-login-error");
		await alice.getByLabel("Password").fill("secret123");
		await alice.getByRole("button", {name: "Log in"}).click();
		await alice.locator(".me-name", {hasText: names.alice}).waitFor();
		await contactButton(alice, names.bob).locator(".contact-preview", {hasText: "Still there"}).waitFor({timeout: externalUrl ? 1 : 10000}).catch((error) => {
			if (!externalUrl) throw error;
		});
		// History comes back over HTTP; the read ticks seen before are remembered.
		await openChat(alice, names.bob);
		await alice.locator(".message-row.own", {hasText: "Hi Bob! 👋"}).locator(".ticks.read").waitFor();
		assert.equal(await bob.title(), "Palaver");
	});
});

describe("a long history", () => {
	const fixture = useServerAndBrowser();

	it("opens at the newest messages and loads older ones on scrolling up, keyboard only", async () => {
		const {baseUrl, browser} = fixture;
		const suffix = Date.now().toString(36).slice(-5);
		const writer = new ApiClient(baseUrl);
		const reader = new ApiClient(baseUrl);
		const writerUser = await writer.register(`writer_${suffix}`);
		const readerUser = await reader.register(`reader_${suffix}`, "secret123", "reads a lot");
		const total = 130;
		for (let i = 1; i <= total; i++) await writer.send(readerUser.id, `history message ${i}`);

		const page = await openPage(browser, baseUrl);
		// Log in with the keyboard only.
		await page.goto("/");
		await page.getByLabel("User name").waitFor();
		await page.keyboard.type(`reader_${suffix}`);
		await page.keyboard.press("Tab");
		await page.keyboard.type("secret123");
		await page.keyboard.press("Enter");
		await page.locator(".me-name", {hasText: `reader_${suffix}`}).waitFor();
		// Search box, arrow down to the contact, Enter opens the conversation.
		await page.getByLabel("Search contacts").focus();
		await page.keyboard.type(`writer_${suffix}`);
		await page.keyboard.press("ArrowDown");
		await page.keyboard.press("Enter");
		await page.locator(".conversation-name", {hasText: `writer_${suffix}`}).waitFor();
		await page.locator(".message-row", {hasText: `history message ${total}`}).waitFor();
		const first = await page.locator(".message-row").count();
		assert.ok(first >= 50 && first < total, `first page shows ${first} messages`);
		assert.equal(await page.locator(".message-row", {hasText: /^history message 1$/}).count(), 0);
		// The newest message is in view.
		assert.ok(await page.locator(".message-row", {hasText: `history message ${total}`}).isVisible());

		for (let round = 0; round < 10; round++) {
			if (await page.locator(".message-row .text", {hasText: /^history message 1$/}).count()) break;
			await page.locator(".messages").evaluate((box) => { box.scrollTop = 0; });
			await page.waitForTimeout(250);
		}
		await page.locator(".message-row .text", {hasText: /^history message 1$/}).waitFor();
		assert.equal(await page.locator(".message-row").count(), total);
		await page.locator(".history-status", {hasText: "beginning"}).waitFor();
		// The composer is reachable and sends with Enter.
		await page.getByLabel("Message", {exact: true}).focus();
		await page.keyboard.type("Read them all.");
		await page.keyboard.press("Enter");
		await page.locator(".message-row.own", {hasText: "Read them all."}).waitFor();
		await screenshot(page, "11-long-history");
		assert.deepEqual(page.problems, []);
		assert.equal(writerUser.userName, `writer_${suffix}`);
	});
});
