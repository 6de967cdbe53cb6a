// Times: messages carry PHP's DateTime JSON form
// {"date": "2023-01-17 10:42:44.000000", "timezone_type": 3, "timezone": "UTC"}.

const PATTERN = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?/;

/** Milliseconds since the epoch, or NaN. */
export function messageTime(timestamp) {
	if (!timestamp) return NaN;
	if (typeof timestamp === "number") return timestamp;
	if (typeof timestamp === "string") return Date.parse(timestamp);
	const match = PATTERN.exec(timestamp.date || "");
	if (!match) return NaN;
	const [, y, mo, d, hh, mm, ss, fraction] = match;
	const asUtc = Date.UTC(+y, +mo - 1, +d, +hh, +mm, +ss, Math.floor(Number((fraction || "0").padEnd(6, "0")) / 1000));
	return asUtc - zoneOffset(timestamp.timezone, asUtc);
}

/** How far the zone is ahead of UTC at about that moment, in milliseconds. */
function zoneOffset(zone, utcMs) {
	if (!zone || zone === "UTC" || zone === "Z" || zone === "+00:00") return 0;
	const fixed = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
	if (fixed) return (fixed[1] === "-" ? -1 : 1) * ((+fixed[2]) * 60 + (+fixed[3])) * 60000;
	try {
		const parts = new Intl.DateTimeFormat("en-US", {
			timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
			hour: "numeric", minute: "numeric", second: "numeric",
		}).formatToParts(new Date(utcMs));
		const get = (type) => Number(parts.find((part) => part.type === type).value);
		const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
		return wall - Math.floor(utcMs / 1000) * 1000;
	} catch (error) {
		return 0;
	}
}

const timeFormat = new Intl.DateTimeFormat(undefined, {hour: "2-digit", minute: "2-digit"});
const dayFormat = new Intl.DateTimeFormat(undefined, {weekday: "long"});
const dateFormat = new Intl.DateTimeFormat(undefined, {year: "numeric", month: "short", day: "numeric"});
const shortDateFormat = new Intl.DateTimeFormat(undefined, {year: "2-digit", month: "2-digit", day: "2-digit"});

export function formatTime(ms) {
	return Number.isFinite(ms) ? timeFormat.format(new Date(ms)) : "";
}

function startOfDay(ms) {
	const date = new Date(ms);
	date.setHours(0, 0, 0, 0);
	return date.getTime();
}

export function dayKey(ms) {
	return Number.isFinite(ms) ? startOfDay(ms) : 0;
}

/** "Today", "Yesterday", a weekday within the week, else a date. */
export function formatDay(ms) {
	if (!Number.isFinite(ms)) return "";
	const days = Math.round((startOfDay(Date.now()) - startOfDay(ms)) / 86400000);
	if (days === 0) return "Today";
	if (days === 1) return "Yesterday";
	if (days > 1 && days < 7) return dayFormat.format(new Date(ms));
	return dateFormat.format(new Date(ms));
}

/** For the contact list: a time today, "Yesterday", else a short date. */
export function formatListTime(ms) {
	if (!Number.isFinite(ms)) return "";
	const days = Math.round((startOfDay(Date.now()) - startOfDay(ms)) / 86400000);
	if (days === 0) return formatTime(ms);
	if (days === 1) return "Yesterday";
	if (days > 1 && days < 7) return dayFormat.format(new Date(ms));
	return shortDateFormat.format(new Date(ms));
}
