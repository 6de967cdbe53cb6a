// The before/after pair every browser suite needs: a palaverd of its own
// (or PALAVER_TEST_URL, an already running server, for development) and a
// Chromium. Call inside describe(); read the fields in the tests.
import {after, before} from "node:test";
import {launchBrowser} from "./browser.js";
import {Palaverd} from "./palaverd.js";

export const externalUrl = process.env.PALAVER_TEST_URL || "";

/** extraArguments: palaverd options of this suite (e.g. a small [groups] max_members). */
export function useServerAndBrowser({extraArguments = []} = {}) {
	const fixture = {server: null, browser: null, baseUrl: ""};
	before(async () => {
		if (externalUrl) {
			fixture.baseUrl = externalUrl;
		} else {
			fixture.server = new Palaverd({extraArguments});
			await fixture.server.start();
			fixture.baseUrl = fixture.server.url;
		}
		fixture.browser = await launchBrowser();
	});
	after(async () => {
		if (fixture.browser) await fixture.browser.close();
		if (fixture.server) await fixture.server.dispose();
	});
	return fixture;
}
