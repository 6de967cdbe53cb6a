// The web client with its WebSocket on the ws port ([web] websocket_url, another
// origin): each connection is authenticated by a single-use ticket
// (POST /ws/ticket), never by the session token in the URL.
import assert from "node:assert/strict";
import {after, before, describe, it} from "node:test";
import {ApiClient} from "./lib/api.js";
import {contactButton, eventually, launchBrowser, openPage, registerInBrowser} from "./lib/browser.js";
import {Palaverd, freePort} from "./lib/palaverd.js";

describe("WebSocket on another origin", () => {
	let server = null;
	let browser = null;
	before(async () => {
		server = new Palaverd();
		server.wsPort = await freePort();
		server.extraArguments = [`--web.websocket_url=ws://127.0.0.1:${server.wsPort}/`];
		await server.start();
		browser = await launchBrowser();
	});
	after(async () => {
		if (browser) await browser.close();
		if (server) await server.dispose();
	});

	it("connects with a ticket and gets messages live", async () => {
		const suffix = Date.now().toString(36).slice(-5);
		const friend = new ApiClient(server.url);
		await friend.register(`tfriend_${suffix}`, "secret123", "");
		const page = await openPage(browser, server.url);
		const sockets = [];
		page.on("websocket", (socket) => sockets.push(socket.url()));
		await page.goto("/");
		await registerInBrowser(page, {userName: `ticket_${suffix}`});
		const me = await page.evaluate(() => fetch("/me").then((response) => response.json()));
		await eventually(() => sockets.length > 0, {message: "a WebSocket opened"});
		await page.locator(".connection-banner").waitFor({state: "hidden"});
		await friend.send(me.id, "Live over a ticket");
		await contactButton(page, `tfriend_${suffix}`).locator(".unread-badge").waitFor();
		for (const url of sockets) {
			assert.ok(url.startsWith(`ws://127.0.0.1:${server.wsPort}/`), url);
			assert.match(url, /[?&]ticket=[0-9a-f]{32}(&|$)/);
			assert.doesNotMatch(url, /token=/);
		}
		assert.deepEqual(page.problems, []);
	});
});
