// Groups and the chat list that remembers: three people in a group chatting
// live (sender names, typing per member, the info panel's actions and its
// errors), and unread badges kept by the server: they survive a reload and
// clear in a second tab when the chat is read in the first.
import assert from "node:assert/strict";
import {after, before, describe, it} from "node:test";
import {ApiClient} from "./lib/api.js";
import {contactButton, openChat, openPage, registerInBrowser, screenshot, sendMessage} from "./lib/browser.js";
import {useServerAndBrowser} from "./lib/setup.js";

// Four members at most: the fifth is refused, and the panel says why.
const MAX_MEMBERS = 4;

async function newGroup(page, name, memberNames) {
	await page.getByRole("button", {name: "New group"}).click();
	const panel = page.locator(".group-panel", {has: page.getByRole("heading", {name: "New group"})});
	await panel.getByLabel("Group name").fill(name);
	for (const member of memberNames) await panel.getByLabel(member, {exact: true}).check();
	await screenshot(page, `40-new-group-${page.viewportSize().width}`);
	await panel.getByRole("button", {name: "Create group"}).click();
	await page.locator(".conversation-name", {hasText: name}).waitFor();
}

function groupInfo(page) {
	return page.locator(".group-panel", {has: page.getByRole("heading", {name: "Group info"})});
}

describe("a group of three", () => {
	const fixture = useServerAndBrowser({extraArguments: [`--groups.max_members=${MAX_MEMBERS}`]});
	const suffix = Date.now().toString(36).slice(-5);
	const names = {ana: `ana_${suffix}`, ben: `ben_${suffix}`, cai: `cai_${suffix}`, dan: `dan_${suffix}`, eva: `eva_${suffix}`};
	const group = `Familia ${suffix}`;
	const pages = [];
	let ana;
	let ben;
	let cai;

	before(async () => {
		ana = await openPage(fixture.browser, fixture.baseUrl);
		ben = await openPage(fixture.browser, fixture.baseUrl);
		cai = await openPage(fixture.browser, fixture.baseUrl, {viewport: {width: 390, height: 844}});
		pages.push(ana, ben, cai);
		await registerInBrowser(ben, {userName: names.ben, info: "Busy"});
		await registerInBrowser(cai, {userName: names.cai, info: "On the phone"});
		await registerInBrowser(ana, {userName: names.ana, info: "Organiser"});
		for (const name of [names.dan, names.eva]) await new ApiClient(fixture.baseUrl).register(name);
		await contactButton(ana, names.eva).waitFor();
	});

	after(async () => {
		for (const page of pages) await page.context().close().catch(() => {});
	});

	it("creates a group that appears live in every member's list", async () => {
		// Without a name the dialog says so and creates nothing.
		await ana.getByRole("button", {name: "New group"}).click();
		const dialog = ana.locator(".group-panel", {has: ana.getByRole("heading", {name: "New group"})});
		await dialog.getByRole("button", {name: "Create group"}).click();
		await dialog.locator(".field-error", {hasText: "Give the group a name."}).waitFor();
		await dialog.getByRole("button", {name: "Close new group"}).click();

		await newGroup(ana, group, [names.ben, names.cai]);
		await ana.locator(".conversation-status", {hasText: `${names.ben}, ${names.cai}, You`}).waitFor();
		for (const page of [ben, cai]) {
			await contactButton(page, group).locator(".contact-preview", {hasText: "No messages yet"}).waitFor();
		}
		// The group is the newest chat: first in the list.
		assert.equal(await ben.locator(".contact .contact-name").first().textContent(), group);
	});

	it("chats live, with the sender's name on each message and typing per member", async () => {
		await sendMessage(ana, "Hola a todos 👋");
		await ana.locator(".message-row.own", {hasText: "Hola a todos"}).locator(".ticks.sent").waitFor();
		// ben and cai: an unread badge and the preview with the sender's name.
		for (const page of [ben, cai]) {
			const row = contactButton(page, group);
			await row.locator(".unread-badge", {hasText: "1"}).waitFor();
			await row.locator(".contact-preview", {hasText: `${names.ana}: Hola a todos`}).waitFor();
		}
		await openChat(ben, group);
		await openChat(cai, group);
		const fromAna = ben.locator(".message-row.theirs", {hasText: "Hola a todos"});
		await fromAna.locator(".sender-name", {hasText: names.ana}).waitFor();
		// Everyone else read it: blue ticks for ana.
		await ana.locator(".message-row.own", {hasText: "Hola a todos"}).locator(".ticks.read").waitFor();

		// ben types: ana and cai see who is typing.
		await ben.getByLabel("Message", {exact: true}).pressSequentially("Hola Ana", {delay: 30});
		await ana.locator(".conversation-status.typing", {hasText: `${names.ben} is typing…`}).waitFor();
		await cai.locator(".conversation-status.typing", {hasText: `${names.ben} is typing…`}).waitFor();
		await screenshot(ana, "41-group-typing");
		await ben.getByLabel("Message", {exact: true}).press("Enter");
		await sendMessage(cai, "¡Hola! Desde el móvil.");
		for (const page of [ana, ben]) {
			await page.locator(".message-row.theirs", {hasText: "Desde el móvil"}).locator(".sender-name", {hasText: names.cai}).waitFor();
		}
		await ana.locator(".message-row.theirs", {hasText: "Hola Ana"}).locator(".sender-name", {hasText: names.ben}).waitFor();
		await cai.locator(".message-row.theirs", {hasText: "Hola Ana"}).locator(".sender-name", {hasText: names.ben}).waitFor();
		await ana.locator(".conversation-status.typing").waitFor({state: "detached"});
		await screenshot(ana, "42-group-desktop");
		await screenshot(cai, "43-group-mobile");
		for (const page of pages) assert.deepEqual(page.problems, []);
	});

	it("manages the group from its info panel, showing the server's refusals", async () => {
		await ana.locator(".conversation-title[role=button]").click();
		const panel = groupInfo(ana);
		await panel.locator(".member", {hasText: names.ben}).waitFor();
		assert.equal(await panel.locator(".member").count(), 3);
		await panel.locator(".member", {hasText: "You"}).locator(".admin-badge").waitFor();

		// Renamed: every member sees the new name live.
		const renamed = `${group} 🏡`;
		await panel.getByLabel("Group name").fill(renamed);
		await panel.getByRole("button", {name: "Rename"}).click();
		await ben.locator(".conversation-name", {hasText: renamed}).waitFor();
		await contactButton(cai, renamed).waitFor({state: "attached"});

		// ben becomes admin; he sees his own admin tools.
		await panel.getByRole("button", {name: `Make admin: ${names.ben}`}).click();
		await panel.locator(".member", {hasText: names.ben}).locator(".admin-badge").waitFor();
		await ben.locator(".conversation-title[role=button]").click();
		await groupInfo(ben).getByRole("button", {name: "Add to group"}).waitFor();

		await screenshot(ben, "45-group-info-admin");
		// Adding two more than max_members allows: refused, nobody added.
		await panel.getByLabel(names.dan, {exact: true}).check();
		await panel.getByLabel(names.eva, {exact: true}).check();
		await panel.getByRole("button", {name: "Add to group"}).click();
		await panel.locator(".field-error, .form-error").filter({hasText: `at most ${MAX_MEMBERS} members`}).waitFor();
		assert.equal(await panel.locator(".member").count(), 3);
		await screenshot(ana, "44-group-info-error");
		await panel.getByLabel(names.eva, {exact: true}).uncheck();
		await panel.getByRole("button", {name: "Add to group"}).click();
		await panel.locator(".member", {hasText: names.dan}).waitFor();
		await groupInfo(ben).locator(".member", {hasText: names.dan}).waitFor();

		// cai is removed: the group leaves his list.
		await panel.getByRole("button", {name: `Remove ${names.cai}`}).click();
		await panel.locator(".member", {hasText: names.cai}).waitFor({state: "detached"});
		await contactButton(cai, renamed).waitFor({state: "detached"});
		await screenshot(ana, "45-group-info-removed");

		// ana leaves; ben (admin) stays with dan.
		await panel.getByRole("button", {name: "Leave group"}).click();
		await panel.getByText("You will no longer get its messages.").waitFor();
		await screenshot(ana, "46-group-leave");
		await panel.getByRole("button", {name: "Leave", exact: true}).click();
		await contactButton(ana, renamed).waitFor({state: "detached"});
		await groupInfo(ben).locator(".member").nth(1).waitFor();
		assert.equal(await groupInfo(ben).locator(".member").count(), 2);
		for (const page of pages) assert.deepEqual(page.problems, []);
	});
});

describe("unread badges kept by the server", () => {
	const fixture = useServerAndBrowser();

	it("survive a reload and clear in a second tab when read in the first", async () => {
		const {baseUrl, browser} = fixture;
		const suffix = Date.now().toString(36).slice(-5);
		const writer = new ApiClient(baseUrl);
		await writer.register(`writer_${suffix}`);
		const first = await openPage(browser, baseUrl);
		await registerInBrowser(first, {userName: `reader_${suffix}`});
		const me = await first.evaluate(() => fetch("/me").then((response) => response.json()));
		const team = await writer.request("POST", "/groups", {name: `Team ${suffix}`, memberIds: [me.id]});
		await writer.send(me.id, "one");
		await writer.send(me.id, "two");
		await writer.request("POST", `/post/togroup/${team.id}`, {text: "to the team"});

		const direct = contactButton(first, `writer_${suffix}`);
		const inGroup = contactButton(first, `Team ${suffix}`);
		await direct.locator(".unread-badge", {hasText: "2"}).waitFor();
		await inGroup.locator(".unread-badge", {hasText: "1"}).waitFor();
		// Most recent first: the group's message is the newest.
		assert.equal(await first.locator(".contact .contact-name").first().textContent(), `Team ${suffix}`);

		await first.reload();
		await direct.locator(".unread-badge", {hasText: "2"}).waitFor();
		await inGroup.locator(".unread-badge", {hasText: "1"}).waitFor();
		assert.equal(await first.title(), "(3) Palaver");

		// A second tab of the same session.
		const second = await first.context().newPage();
		second.problems = [];
		second.on("pageerror", (error) => second.problems.push(`page error: ${error.message}`));
		await second.goto("/");
		const directThere = contactButton(second, `writer_${suffix}`);
		await directThere.locator(".unread-badge", {hasText: "2"}).waitFor();
		await screenshot(second, "47-unread-second-tab");

		// Read in the first tab: the badge clears in the second.
		await openChat(first, `writer_${suffix}`);
		await first.locator(".message-row.theirs", {hasText: "two"}).waitFor();
		await directThere.locator(".unread-badge").waitFor({state: "detached"});
		await openChat(first, `Team ${suffix}`);
		await contactButton(second, `Team ${suffix}`).locator(".unread-badge").waitFor({state: "detached"});
		assert.equal(await second.title(), "Palaver");

		// A new message moves its chat to the top, with its badge, in both tabs.
		await writer.send(me.id, "three");
		await directThere.locator(".unread-badge", {hasText: "1"}).waitFor();
		assert.equal(await second.locator(".contact .contact-name").first().textContent(), `writer_${suffix}`);
		// And after a reload it is still unread.
		await second.reload();
		await directThere.locator(".unread-badge", {hasText: "1"}).waitFor();
		assert.deepEqual(first.problems, []);
		assert.deepEqual(second.problems, []);
		await first.context().close();
	});
});
