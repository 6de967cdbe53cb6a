// Notifications while the tab is closed (plugins/push, the web client's
// service worker): the switch registers the worker and subscribes (offline,
// the browser's refusal is shown to the user, and the client's subscription
// POST is exercised with a synthetic subscription: plugins/push/README.md,
// "Tests", says what blocks the real one), a push
// delivered through the DevTools protocol (ServiceWorker.deliverPushMessage)
// shows a notification with the sender (and no text unless the payload has
// it; a photo or a file's name for an attachment), and clicking it opens
// that chat.
import assert from "node:assert/strict";
import {after, before, describe, it} from "node:test";
import {ApiClient} from "./lib/api.js";
import {eventually, openPage, registerInBrowser} from "./lib/browser.js";
import {useServerAndBrowser} from "./lib/setup.js";

/** The service worker's notifications, as {title, body, tag}. */
async function notifications(worker) {
	return worker.evaluate(async () => (await self.registration.getNotifications())
		.map((n) => ({title: n.title, body: n.body, tag: n.tag, key: n.data && n.data.key})));
}

/**
 * Delivers a push through DevTools until the worker's notifications pass
 * check: DevTools does not say whether the worker got the push, and on a
 * loaded machine one delivery was seen to vanish (no notification within
 * 10 s). Pushes replace their chat's notification, so a second is harmless.
 */
async function deliverUntil(cdp, worker, delivery, check, message) {
	for (let attempt = 1; ; attempt++) {
		await cdp.send("ServiceWorker.deliverPushMessage", delivery);
		try {
			return await eventually(async () => check(await notifications(worker)), {timeoutMs: 5000, message});
		} catch (error) {
			if (attempt === 3) throw error;
		}
	}
}

describe("web push in the browser", () => {
	const fixture = useServerAndBrowser();
	const suffix = Date.now().toString(36).slice(-5);
	const names = {ana: `ana_${suffix}`, pepe: `pepe_${suffix}`};
	let page;
	let pepe;
	let worker;
	let registrationId;
	let cdp;

	before(async () => {
		page = await openPage(fixture.browser, fixture.baseUrl);
		await page.context().grantPermissions(["notifications"], {origin: fixture.baseUrl});
		await registerInBrowser(page, {userName: names.ana});
		pepe = new ApiClient(fixture.baseUrl);
		await pepe.register(names.pepe);
		cdp = await page.context().newCDPSession(page);
		await cdp.send("ServiceWorker.enable");
	});

	after(async () => {
		if (page) await page.context().close().catch(() => {});
	});

	it("serves the manifest and its icons", async () => {
		const manifest = await (await fetch(`${fixture.baseUrl}/assets/manifest.webmanifest`)).json();
		assert.equal(manifest.display, "standalone");
		assert.equal(manifest.start_url, "/");
		for (const icon of manifest.icons) {
			const response = await fetch(`${fixture.baseUrl}${icon.src}`);
			assert.equal(response.status, 200, icon.src);
			assert.equal(response.headers.get("content-type"), "image/png");
		}
		assert.equal(await page.locator("link[rel=manifest]").getAttribute("href"), "/assets/manifest.webmanifest");
	});

	it("registers the service worker from the settings switch", async (t) => {
		const registered = new Promise((resolve) => {
			cdp.on("ServiceWorker.workerRegistrationUpdated", ({registrations}) => {
				const ours = registrations.find((r) => r.scopeURL.endsWith("/assets/") && !r.isDeleted);
				if (ours) resolve(ours.registrationId);
			});
		});
		const workerStarted = page.context().waitForEvent("serviceworker");
		await page.getByRole("button", {name: "Profile and settings"}).click();
		const toggle = page.getByRole("switch", {name: "Notifications when Palaver is closed"});
		// click(), not check(): the switch turns itself off again when the
		// browser refuses to subscribe, sometimes before check() looks.
		await toggle.click();
		registrationId = await registered;
		worker = await workerStarted;
		assert.match(worker.url(), /\/assets\/sw\.js$/);
		// Subscribing needs the browser's push service (Google's, for
		// Chromium), out of reach on a machine without Internet: the switch
		// then says why and stays off; with it, a subscription is stored.
		await eventually(async () => (await page.locator(".push-status").textContent()).length > 0, {message: "the switch's answer"});
		const subscribed = await toggle.isChecked();
		t.diagnostic(subscribed ? "subscribed" : `not subscribed: ${await page.locator(".push-status").textContent()}`);
		if (subscribed) {
			const endpoint = await worker.evaluate(async () => (await self.registration.pushManager.getSubscription()).endpoint);
			assert.match(endpoint, /^https:\/\//);
		} else {
			assert.match(await page.locator(".push-status").textContent(), /^The browser could not reach its push service, so notifications stay off \(.+\)\./);
		}
		assert.deepEqual(page.problems, []);
	});

	it("sends the browser's subscription to the server and deletes it when turned off", async (t) => {
		const toggle = page.getByRole("switch", {name: "Notifications when Palaver is closed"});
		if (await toggle.isChecked()) {
			t.skip("a real subscription exists (the push service was reachable)");
			return;
		}
		// The push service out of reach: the browser's PushManager answers with
		// a subscription made here, with a real P-256 key and auth secret.
		await page.evaluate(async () => {
			const pair = await crypto.subtle.generateKey({name: "ECDH", namedCurve: "P-256"}, true, ["deriveBits"]);
			const base64Url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
			const endpoint = `https://push.example.com/synthetic/${Date.now()}`;
			const keys = {p256dh: base64Url(await crypto.subtle.exportKey("raw", pair.publicKey)), auth: base64Url(crypto.getRandomValues(new Uint8Array(16)))};
			let current = null;
			const synthetic = {endpoint, toJSON: () => ({endpoint, expirationTime: null, keys}), unsubscribe: async () => { current = null; return true; }};
			PushManager.prototype.subscribe = async () => (current = synthetic);
			PushManager.prototype.getSubscription = async () => current;
		});
		const posted = page.waitForResponse((r) => r.url().endsWith("/push/subscriptions") && r.request().method() === "POST");
		await toggle.check();
		const created = await posted;
		assert.equal(created.status(), 201);
		const {id} = await created.json();
		assert.match(id, /^[A-Za-z0-9_-]+$/);
		await eventually(async () => /^On:/.test(await page.locator(".push-status").textContent()), {message: "the switch says on"});
		assert.equal(await toggle.isChecked(), true);

		const deleted = page.waitForResponse((r) => r.url().endsWith(`/push/subscriptions/${id}`) && r.request().method() === "DELETE");
		await toggle.uncheck();
		assert.equal((await deleted).status(), 204);
		await eventually(async () => (await page.locator(".push-status").textContent()) === "Off.", {message: "the switch says off"});
		assert.deepEqual(page.problems, []);
	});

	it("shows a notification for a push, without text unless the payload has it", async () => {
		const origin = new URL(fixture.baseUrl).origin;
		const payload = {type: "chatmsg", id: 41, fromUserId: pepe.user.id, fromUserName: names.pepe, toUserId: 1, groupId: null};
		await deliverUntil(cdp, worker, {origin, registrationId, data: JSON.stringify(payload)}, (shown) => shown.length === 1, "a notification");
		let [shown] = await notifications(worker);
		assert.equal(shown.title, names.pepe);
		assert.equal(shown.body, "New message");
		assert.equal(shown.key, `u${pepe.user.id}`);

		await deliverUntil(cdp, worker, {origin, registrationId, data: JSON.stringify({...payload, id: 42, text: "¿Vienes?"})},
			(shown) => shown[0]?.body === "¿Vienes?", "the text");
		[shown] = await notifications(worker);
		assert.equal((await notifications(worker)).length, 1, "one notification per chat");
	});

	it("says what is attached: a photo, or the file's name when the payload has it", async () => {
		const origin = new URL(fixture.baseUrl).origin;
		const payload = {type: "chatmsg", fromUserId: pepe.user.id, fromUserName: names.pepe, toUserId: 1, groupId: null};
		const bodies = [
			[{id: 43, attachment: {type: "image/jpeg"}}, "📷 Photo"],
			[{id: 44, attachment: {type: "image/png", name: "playa.png"}, text: "¡Mira!"}, "📷 ¡Mira!"],
			[{id: 45, attachment: {type: "application/octet-stream"}}, "📎 File"],
			[{id: 46, attachment: {type: "application/octet-stream", name: "factura.pdf"}, text: ""}, "📎 factura.pdf"],
			[{id: 47, attachment: {type: "application/octet-stream", name: "factura.pdf"}, text: "la de mayo"}, "📎 factura.pdf: la de mayo"],
		];
		for (const [fields, body] of bodies) {
			await deliverUntil(cdp, worker, {origin, registrationId, data: JSON.stringify({...payload, ...fields})},
				(shown) => shown[0]?.body === body, body);
		}
		assert.equal((await notifications(worker)).length, 1, "one notification per chat");
	});

	it("opens the chat when the notification is clicked", async () => {
		await page.getByRole("button", {name: "Close profile"}).click();
		// DevTools cannot click a system notification: the worker gets the
		// event a click gives, for the notification it shows.
		await worker.evaluate(async () => {
			const [notification] = await self.registration.getNotifications();
			self.dispatchEvent(new NotificationEvent("notificationclick", {notification}));
		});
		await page.locator(".conversation-name", {hasText: names.pepe}).waitFor();
		assert.equal(await page.locator(".conversation-name").textContent(), names.pepe);
		assert.deepEqual(await notifications(worker), []);
		assert.deepEqual(page.problems, []);
	});

	it("opens the chat named in the address of a new window", async () => {
		const fresh = await page.context().newPage();
		await fresh.goto(`/#open=u${pepe.user.id}`);
		await fresh.locator(".conversation-name", {hasText: names.pepe}).waitFor();
		await fresh.close();
	});
});
