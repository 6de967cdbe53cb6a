// A phone-sized screen shows one pane at a time.
import assert from "node:assert/strict";
import {describe, it} from "node:test";
import {ApiClient} from "./lib/api.js";
import {contactButton, openPage, registerInBrowser, screenshot, sendMessage} from "./lib/browser.js";
import {useServerAndBrowser} from "./lib/setup.js";

describe("phone-sized screen", () => {
	const fixture = useServerAndBrowser();

	it("switches between the contact list and the conversation", async () => {
		const {baseUrl, browser} = fixture;
		const suffix = Date.now().toString(36).slice(-5);
		const friend = new ApiClient(baseUrl);
		await friend.register(`friend_${suffix}`, "secret123", "on the phone");
		const page = await openPage(browser, baseUrl, {viewport: {width: 390, height: 844}});
		await page.goto("/");
		await screenshot(page, "20-mobile-login");
		await registerInBrowser(page, {userName: `mobile_${suffix}`, info: "small screen"});
		const me = await page.evaluate(() => fetch("/me").then((response) => response.json()));
		await friend.send(me.id, "Welcome to Palaver!");

		const list = page.locator(".sidebar");
		const conversation = page.locator(".conversation");
		await contactButton(page, `friend_${suffix}`).locator(".unread-badge").waitFor();
		assert.ok(await list.isVisible());
		assert.ok(!(await conversation.isVisible()));
		await screenshot(page, "21-mobile-list");

		await contactButton(page, `friend_${suffix}`).click();
		await page.locator(".message-row", {hasText: "Welcome to Palaver!"}).waitFor();
		assert.ok(await conversation.isVisible());
		assert.ok(!(await list.isVisible()));
		await sendMessage(page, "Thanks! Typing on a phone.");
		await page.locator(".message-row.own", {hasText: "Typing on a phone."}).waitFor();
		await screenshot(page, "22-mobile-conversation");

		await page.getByRole("button", {name: "Back to chats"}).click();
		await list.waitFor({state: "visible"});
		assert.ok(!(await conversation.isVisible()));
		// Focus returns to the contact that was open.
		assert.equal(await page.evaluate(() => document.activeElement.classList.contains("contact")), true);
		assert.deepEqual(page.problems, []);
	});
});
