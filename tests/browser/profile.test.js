// The profile panel: "about" line and picture (seen live by others), the
// sessions (ending one logs that browser out), the password, deleting the
// account; on a desktop and on a phone-sized screen.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {after, before, describe, it} from "node:test";
import {contactButton, eventually, openPage, registerInBrowser, screenshot, writeAvatarPng} from "./lib/browser.js";
import {useServerAndBrowser} from "./lib/setup.js";

async function logIn(page, userName, password) {
	await page.goto("/");
	await page.getByLabel("User name").fill(userName);
	await page.getByLabel("Password").fill(password);
	await page.getByRole("button", {name: "Log in"}).click();
	await page.locator(".me-name", {hasText: userName}).waitFor();
}

async function openProfile(page) {
	await page.getByRole("button", {name: "Profile and settings"}).click();
	await page.locator(".profile-panel").waitFor();
	await page.locator(".session.current").waitFor();
}

/** Waits (bounded) until the page shows the log-in screen. */
function loggedOut(page) {
	return page.getByRole("button", {name: "Log in"}).waitFor({timeout: 5000});
}

describe("profile panel", () => {
	const fixture = useServerAndBrowser();
	const suffix = Date.now().toString(36).slice(-5);
	const names = {ana: `ana_${suffix}`, ben: `ben_${suffix}`};
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "palaver-profile-"));
	const pages = [];
	let ana;
	let ben;

	async function page(options) {
		const opened = await openPage(fixture.browser, fixture.baseUrl, options);
		pages.push(opened);
		return opened;
	}

	before(async () => {
		ana = await page();
		ben = await page();
		await registerInBrowser(ana, {userName: names.ana, info: "Hello"});
		await registerInBrowser(ben, {userName: names.ben, info: "Busy"});
		await contactButton(ben, names.ana).waitFor();
	});

	after(async () => {
		for (const opened of pages) await opened.context().close().catch(() => {});
		fs.rmSync(tmp, {recursive: true, force: true});
	});

	it("changes the about line and the picture, shown live in the other user's window", async () => {
		await openProfile(ana);
		await ana.getByLabel("About you").fill("Out to lunch");
		await ana.getByRole("button", {name: "Save"}).click();
		await ana.locator(".form-done", {hasText: "Saved."}).waitFor();
		await ana.locator(".me-info", {hasText: "Out to lunch"}).waitFor();
		// ben's list shows it without a reload (the userupdate frame).
		await contactButton(ben, names.ana).locator(".contact-preview.info", {hasText: "Out to lunch"}).waitFor();

		await ana.locator("#profile-image").setInputFiles(writeAvatarPng(path.join(tmp, "ana.png")));
		await eventually(() => ana.locator(".profile-picture img.avatar").evaluate((img) => img.complete && img.naturalWidth > 0),
			{message: "the new picture in ana's profile"});
		const image = await ana.locator(".profile-picture img.avatar").getAttribute("src");
		assert.match(image, /^\/img\//);
		await ana.locator(`.sidebar-header img.avatar[src="${image}"]`).waitFor();
		await eventually(() => contactButton(ben, names.ana).locator("img.avatar").evaluate((img) => img.complete && img.naturalWidth > 0),
			{message: "ana's new picture in ben's list"});
		assert.equal(await contactButton(ben, names.ana).locator("img.avatar").getAttribute("src"), image);

		// A file that is not a picture is refused in the panel.
		fs.writeFileSync(path.join(tmp, "notes.txt"), "not a picture");
		await ana.locator("#profile-image").setInputFiles(path.join(tmp, "notes.txt"));
		await ana.locator("#profile-image-error", {hasText: "JPEG or PNG"}).waitFor();
		await screenshot(ana, "30-profile-desktop");
		assert.deepEqual(ana.problems, []);
		assert.deepEqual(ben.problems, []);
	});

	it("logs another session out, which then shows the log-in screen", async () => {
		const second = await page();
		await logIn(second, names.ana, "secret123");
		// Its socket is up before the session ends, so the close (4001) is what logs it out.
		await second.locator(".connection-banner").waitFor({state: "hidden"});
		await ana.getByRole("button", {name: "Close profile"}).click();
		await openProfile(ana);
		const sessions = ana.locator(".session");
		await eventually(async () => (await sessions.count()) === 2, {message: "two sessions listed"});
		await ana.locator(".session.current .this-device", {hasText: "This device"}).waitFor();
		await screenshot(ana, "31-profile-sessions");
		await ana.locator(".session:not(.current)").getByRole("button", {name: /^Log out Chrome/}).click();
		await loggedOut(second);
		await eventually(async () => (await sessions.count()) === 1, {message: "one session left"});
		assert.ok(await ana.getByRole("button", {name: "Log out all other sessions"}).isHidden());

		// Two more, then "log out all other sessions" ends both.
		const third = await page();
		const fourth = await page();
		await logIn(third, names.ana, "secret123");
		await logIn(fourth, names.ana, "secret123");
		await ana.getByRole("button", {name: "Close profile"}).click();
		await openProfile(ana);
		await eventually(async () => (await sessions.count()) === 3, {message: "three sessions listed"});
		await ana.getByRole("button", {name: "Log out all other sessions"}).click();
		await Promise.all([loggedOut(third), loggedOut(fourth)]);
		await eventually(async () => (await sessions.count()) === 1, {message: "only this device left"});
		// This one is still in.
		await ana.locator(".me-name", {hasText: names.ana}).waitFor();
		for (const opened of [second, third, fourth]) assert.deepEqual(opened.problems, []);
	});

	it("changes the password, refusing a wrong current one in the panel", async () => {
		const form = ana.getByRole("form", {name: "Change password"});
		await form.getByLabel("Current password").fill("not-my-password");
		await form.getByLabel("New password").fill("better-secret");
		await form.getByRole("button", {name: "Change password"}).click();
		await form.locator(".field-error[data-field=currentPassword]", {hasText: "password is wrong"}).waitFor();
		await form.getByLabel("New password").fill("short");
		await form.getByLabel("Current password").fill("secret123");
		await form.getByRole("button", {name: "Change password"}).click();
		await form.locator(".field-error[data-field=newPassword]", {hasText: "at least 6"}).waitFor();
		await form.getByLabel("New password").fill("better-secret");
		await form.getByRole("button", {name: "Change password"}).click();
		await form.locator(".form-done", {hasText: "Password changed"}).waitFor();

		// The new password works on a phone-sized screen, where the panel covers the whole screen.
		const phone = await page({viewport: {width: 390, height: 844}});
		await logIn(phone, names.ana, "better-secret");
		await openProfile(phone);
		assert.ok(await phone.locator(".contact-list").isHidden() || await isCovered(phone));
		const box = await phone.locator(".profile-panel").boundingBox();
		assert.equal(Math.round(box.width), 390);
		await screenshot(phone, "32-profile-phone");
		await phone.locator(".profile-body").evaluate((body) => { body.scrollTop = body.scrollHeight; });
		await screenshot(phone, "33-profile-phone-bottom");
		assert.deepEqual(phone.problems, []);
	});

	it("deletes the account after a confirmation with the password", async () => {
		const form = ana.getByRole("form", {name: "Delete account"});
		await form.getByRole("button", {name: "Delete my account…"}).click();
		await form.getByLabel("Your password, to confirm").fill("secret123");
		await form.getByRole("button", {name: "Delete account for good"}).click();
		await form.locator(".field-error[data-field=password]", {hasText: "password is wrong"}).waitFor();
		await screenshot(ana, "34-profile-delete");
		await form.getByLabel("Your password, to confirm").fill("better-secret");
		await form.getByRole("button", {name: "Delete account for good"}).click();
		await loggedOut(ana);
		// Gone: logging in again is refused.
		await ana.getByLabel("User name").fill(names.ana);
		await ana.getByLabel("Password").fill("better-secret");
		await ana.getByRole("button", {name: "Log in"}).click();
		await ana.locator(".form-error, .field-error").filter({hasText: /./}).first().waitFor();
		assert.deepEqual(ana.problems, []);
	});
});

/** True when the profile panel lies over the contact list. */
function isCovered(page) {
	return page.evaluate(() => {
		const list = document.querySelector(".contact-list").getBoundingClientRect();
		const top = document.elementFromPoint(list.left + list.width / 2, list.top + 10);
		return Boolean(top && top.closest(".profile-panel"));
	});
}
