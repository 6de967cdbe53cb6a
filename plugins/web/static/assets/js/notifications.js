// Notifications while the tab is closed (Web Push, plugins/push): the
// service worker, the push subscription, and the settings switch.
import {api} from "./api.js";
import {h} from "./dom.js";

const WORKER_URL = "/assets/sw.js";
const WORKER_SCOPE = "/assets/";
const SUBSCRIPTION_ID = "palaver.pushSubscription";   // {endpoint, id} of this browser's subscription

/** True when this browser can receive Web Push. */
export function pushSupported() {
	return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

function keyBytes(base64url) {
	const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
	const text = atob(base64 + "=".repeat((4 - base64.length % 4) % 4));
	return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** The worker's registration once it is active (subscribing needs that). */
async function registration() {
	const registered = await navigator.serviceWorker.register(WORKER_URL, {scope: WORKER_SCOPE});
	const worker = registered.installing || registered.waiting;
	if (worker && !registered.active) {
		// navigator.serviceWorker.ready would wait for a worker controlling this page: ours controls none.
		await new Promise((resolve) => {
			worker.addEventListener("statechange", () => {
				if (worker.state === "activated" || worker.state === "redundant") resolve();
			});
		});
	}
	return registered;
}

function remembered() {
	try {
		return JSON.parse(localStorage.getItem(SUBSCRIPTION_ID) || "null");
	} catch (error) {
		return null;
	}
}

/** This browser's push subscription, if it has one for this server. */
export async function currentSubscription() {
	if (!pushSupported()) return null;
	const existing = await navigator.serviceWorker.getRegistration(WORKER_SCOPE);
	return existing ? existing.pushManager.getSubscription() : null;
}

/** Chromium offline keeps trying to reach its push service, without end. */
const SUBSCRIBE_TIMEOUT_MS = 30000;

/** promise's outcome, or a rejection when it has none after ms. */
function answerWithin(ms, promise) {
	let timer;
	const late = new Promise((resolve, reject) => {
		timer = setTimeout(() => reject(new Error(`no answer in ${ms / 1000} s`)), ms);
	});
	return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Asks for permission, subscribes and tells the server. Throws with a message for the user. */
export async function enableNotifications() {
	if (!pushSupported()) throw new Error("This browser cannot show notifications from Palaver.");
	const permission = await Notification.requestPermission();
	if (permission !== "granted") throw new Error("Notifications are blocked for this site in the browser's settings.");
	const {publicKey} = await api.pushKey();
	const worker = await registration();
	let subscription = await worker.pushManager.getSubscription();
	if (!subscription) {
		try {
			subscription = await answerWithin(SUBSCRIBE_TIMEOUT_MS,
				worker.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: keyBytes(publicKey)}));
		} catch (error) {
			// The browser registers with its vendor's push service (Google's
			// for Chrome): offline or behind a firewall it refuses with a
			// message meant for developers, or (Chromium) keeps trying.
			throw new Error(`The browser could not reach its push service, so notifications stay off (${error.message || error.name}). Try again when online, or in another browser.`);
		}
	}
	const {id} = await api.subscribePush(subscription.toJSON());
	localStorage.setItem(SUBSCRIPTION_ID, JSON.stringify({endpoint: subscription.endpoint, id}));
	return subscription;
}

/** Tells the server to forget this browser and unsubscribes. */
export async function disableNotifications() {
	const subscription = await currentSubscription();
	const known = remembered();
	if (known && known.id) {
		try {
			await api.unsubscribePush(known.id);
		} catch (error) {
			// Gone already (a log-out ends it): unsubscribing below is what counts.
		}
	}
	localStorage.removeItem(SUBSCRIPTION_ID);
	if (subscription) await subscription.unsubscribe();
}

/** The settings section: a switch that turns notifications on and off. */
export function notificationSection() {
	const toggle = h("input", {type: "checkbox", class: "push-switch", role: "switch", "aria-label": "Notifications when Palaver is closed"});
	const status = h("p", {class: "field-hint push-status", role: "status"});
	const section = h("section", {class: "profile-section", "aria-label": "Notifications"},
		h("h3", {text: "Notifications"}),
		h("label", {class: "switch-row"}, toggle, h("span", {text: "Notify me of messages while Palaver is closed"})),
		status);
	if (!pushSupported()) {
		toggle.disabled = true;
		status.textContent = "This browser cannot show notifications. On a phone, add Palaver to the home screen first.";
		return section;
	}
	currentSubscription().then((subscription) => {
		toggle.checked = Boolean(subscription) && Notification.permission === "granted";
	}, () => {});
	toggle.addEventListener("change", async () => {
		toggle.disabled = true;
		status.textContent = "";
		try {
			if (toggle.checked) {
				await enableNotifications();
				status.textContent = "On: messages that arrive while Palaver is closed show a notification.";
			} else {
				await disableNotifications();
				status.textContent = "Off.";
			}
		} catch (error) {
			toggle.checked = !toggle.checked;
			status.textContent = error.message || "That did not work.";
		}
		toggle.disabled = false;
	});
	return section;
}

/**
 * The chat a notification asks for: "#open=<key>" in the address (a new
 * window), then every "open-chat" message of the service worker (a page
 * already open). Calls open(key) for each.
 */
export function followNotificationClicks(open) {
	const match = /^#open=([ug]\d+)$/.exec(decodeURIComponent(location.hash));
	if (match) open(match[1]);
	if (!("serviceWorker" in navigator)) return;
	navigator.serviceWorker.addEventListener("message", (event) => {
		const data = event.data || {};
		if (data.type === "open-chat" && /^[ug]\d+$/.test(data.key || "")) open(data.key);
	});
	navigator.serviceWorker.startMessages();
}
