// Edit, delete for everyone and search (issue 18) in Chromium against the
// real palaverd: the menu on one's own messages, the changes seen live in
// the other user's window and after a reload, and the search box finding
// "canción" when "cancion" is typed and opening the chat at that message.
import assert from "node:assert/strict";
import {after, before, describe, it} from "node:test";
import {contactButton, eventually, openChat, openPage, registerInBrowser, screenshot, sendMessage} from "./lib/browser.js";
import {useServerAndBrowser} from "./lib/setup.js";

function row(page, text) {
	return page.locator(".message-row").filter({has: page.locator(".text", {hasText: text})});
}

async function openMenu(page, text) {
	const message = row(page, text);
	await message.hover();
	await message.getByRole("button", {name: "Message options"}).click();
	await page.getByRole("menu").waitFor();
}

describe("editing, deleting and searching messages", () => {
	const fixture = useServerAndBrowser();
	const suffix = Date.now().toString(36).slice(-5);
	const names = {lia: `lia_${suffix}`, max: `max_${suffix}`};
	const pages = [];
	let lia;
	let max;

	before(async () => {
		lia = await openPage(fixture.browser, fixture.baseUrl);
		max = await openPage(fixture.browser, fixture.baseUrl);
		pages.push(lia, max);
		await registerInBrowser(lia, {userName: names.lia});
		await registerInBrowser(max, {userName: names.max});
		await contactButton(lia, names.max).waitFor();
		await openChat(lia, names.max);
		await openChat(max, names.lia);
	});

	after(async () => {
		for (const page of pages) await page.context().close().catch(() => {});
	});

	it("edits one's own message, seen live by the other side", async () => {
		await sendMessage(lia, "quedamos a las cinco");
		await row(max, "quedamos a las cinco").waitFor();
		// Only one's own messages have the menu.
		assert.equal(await row(max, "quedamos a las cinco").getByRole("button", {name: "Message options"}).count(), 0);
		await openMenu(lia, "quedamos a las cinco");
		await lia.getByRole("menuitem", {name: "Edit"}).click();
		const box = lia.getByLabel("Edit message");
		await box.fill("quedamos a las seis");
		await screenshot(lia, "messages-01-editing");
		await box.press("Enter");
		await row(lia, "quedamos a las seis").locator(".edited").waitFor();
		await row(max, "quedamos a las seis").locator(".edited").waitFor();
		assert.equal(await row(max, "quedamos a las cinco").count(), 0);
		await screenshot(max, "messages-02-edited-live");
	});

	it("deletes for everyone, seen live and after a reload", async () => {
		await sendMessage(lia, "mensaje equivocado");
		await row(max, "mensaje equivocado").waitFor();
		await openMenu(lia, "mensaje equivocado");
		await lia.getByRole("menuitem", {name: "Delete for everyone"}).click();
		await lia.getByRole("menuitem", {name: "Delete", exact: true}).click();
		for (const page of [lia, max]) {
			await page.locator(".message-row.deleted .tombstone", {hasText: "This message was deleted"}).waitFor();
			assert.equal(await row(page, "mensaje equivocado").count(), 0);
		}
		await screenshot(max, "messages-03-deleted-live");
		// After a reload both changes are still shown (from the server's history).
		await max.reload();
		await openChat(max, names.lia);
		await max.locator(".message-row.deleted .tombstone", {hasText: "This message was deleted"}).waitFor();
		await row(max, "quedamos a las seis").locator(".edited").waitFor();
	});

	it("finds \"canción\" when typing \"cancion\" and opens the chat at it", async () => {
		await sendMessage(max, "una canción para ti");
		await row(lia, "una canción para ti").waitFor();
		// Enough later messages that the found one is out of view.
		for (let i = 0; i < 30; i++) await sendMessage(max, `relleno ${i}`);
		await row(lia, "relleno 29").waitFor();
		await lia.getByRole("button", {name: "Back to chats"}).click().catch(() => {});
		await lia.getByLabel("Search contacts").fill("cancion");
		const result = lia.locator(".search-result", {hasText: "una canción para ti"});
		await result.waitFor();
		await screenshot(lia, "messages-04-search");
		// Other words do not match; the search is the user's own messages only.
		assert.equal(await lia.locator(".search-result").count(), 1);
		await result.click();
		await lia.locator(".conversation-name", {hasText: names.max}).waitFor();
		const found = row(lia, "una canción para ti");
		await found.waitFor();
		await eventually(() => found.evaluate((element) => {
			const box = element.closest(".messages").getBoundingClientRect();
			const rect = element.getBoundingClientRect();
			return rect.top >= box.top && rect.bottom <= box.bottom;
		}), {message: "the found message is scrolled into view"});
		await screenshot(lia, "messages-05-opened-at-result");
		// A query that is only syntax is answered, not an error page.
		await lia.getByLabel("Search contacts").fill("\"*\" -");
		await lia.locator(".search-status", {hasText: "q must contain a word"}).waitFor();
	});
});
