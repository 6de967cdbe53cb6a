// Groups in the web client (PROTOCOL.md "Groups"): the "new group" panel
// (a name, members picked from the contacts) over the chat list, and the
// group info panel (members, admins, add, remove, leave, rename) over the
// conversation. Every refusal of the server is shown in the panel, next to
// the field it names when there is one.
import {api} from "./api.js";
import {h, clear, avatar} from "./dom.js";
import {field, showErrors, clearErrors, busy, sentence} from "./auth.js";

const MAX_NAME = 100;

/** A panel's header: a back button and a title; Escape closes the panel too. */
function panel({label, title, onClose}, ...body) {
	const back = h("button", {type: "button", class: "icon-button back-to-chats", "aria-label": `Close ${label.toLowerCase()}`,
		onclick: () => onClose(), text: "←"});
	const element = h("section", {class: "profile-panel group-panel", "aria-label": label, hidden: true},
		h("header", {class: "profile-header"}, back, h("h2", {text: title})),
		h("div", {class: "profile-body"}, ...body));
	element.addEventListener("keydown", (event) => {
		if (event.key === "Escape") {
			event.preventDefault();
			event.stopPropagation();
			onClose();
		}
	});
	return {element, back};
}

/** A filterable list of users with a checkbox each: whom to put in a group. */
export class MemberPicker {
	constructor({id, label}) {
		this.id = id;
		this.selected = new Set();
		this.users = [];
		this.filter = h("input", {id: `${id}-filter`, type: "search", placeholder: "Search contacts", autocomplete: "off"});
		this.filter.addEventListener("input", () => this.renderList());
		this.count = h("p", {class: "field-hint picker-count", "aria-live": "polite"});
		this.list = h("ul", {class: "member-picker", "aria-label": label});
		this.element = h("div", {class: "field"},
			h("label", {for: `${id}-filter`, text: label}),
			this.filter,
			this.count,
			this.list);
	}

	/** The users one may pick (user objects), keeping what is ticked. */
	setUsers(users) {
		this.users = users;
		const ids = new Set(users.map((user) => Number(user.id)));
		for (const userId of this.selected) if (!ids.has(userId)) this.selected.delete(userId);
		this.renderList();
	}

	reset() {
		this.selected.clear();
		this.filter.value = "";
		this.renderList();
	}

	selectedIds() {
		return Array.from(this.selected);
	}

	renderList() {
		const query = this.filter.value.trim().toLocaleLowerCase();
		clear(this.list);
		for (const user of this.users) {
			if (query && !user.userName.toLocaleLowerCase().includes(query)) continue;
			const userId = Number(user.id);
			const box = h("input", {type: "checkbox", id: `${this.id}-${userId}`, value: String(userId), "aria-label": user.userName,
				checked: this.selected.has(userId)});
			box.addEventListener("change", () => {
				if (box.checked) this.selected.add(userId);
				else this.selected.delete(userId);
				this.renderCount();
			});
			this.list.append(h("li", null,
				h("label", {class: "picker-row", for: box.id}, box, avatar(user, "md"),
					h("span", {class: "picker-name", text: user.userName}))));
		}
		if (!this.list.firstChild) {
			this.list.append(h("li", {class: "picker-empty", text: query ? `Nobody matches “${this.filter.value.trim()}”.` : "Nobody else to add."}));
		}
		this.renderCount();
	}

	renderCount() {
		const count = this.selected.size;
		this.count.textContent = count ? `${count} selected` : "";
	}
}

export class NewGroupPanel {
	/**
	 * @param {object} options
	 *   users(): the users one may add, by name
	 *   onCreated(group): the server created it
	 *   onClose(): the panel was closed
	 */
	constructor({users, onCreated, onClose}) {
		this.users = users;
		this.onCreated = onCreated;
		this.picker = new MemberPicker({id: "new-group-members", label: "Members"});
		this.form = h("form", {class: "profile-section", novalidate: true, "aria-label": "New group"},
			field({id: "new-group-name", label: "Group name", name: "name", maxlength: MAX_NAME, required: true, autocomplete: "off"}),
			this.picker.element,
			h("p", {class: "field-error", id: "new-group-members-error", role: "alert", "data-field": "memberIds"}),
			h("p", {class: "form-error", role: "alert"}),
			h("button", {type: "submit", class: "primary", text: "Create group"}));
		this.form.addEventListener("submit", (event) => { event.preventDefault(); this.create(); });
		const {element} = panel({label: "New group", title: "New group", onClose}, this.form);
		this.element = element;
	}

	open() {
		clearErrors(this.form);
		this.form.elements.name.value = "";
		this.picker.setUsers(this.users());
		this.picker.reset();
		this.form.elements.name.focus();
	}

	async create() {
		clearErrors(this.form);
		const name = this.form.elements.name.value.trim();
		if (!name) {
			const slot = this.form.querySelector(".field-error[data-field=name]");
			slot.textContent = "Give the group a name.";
			this.form.elements.name.setAttribute("aria-invalid", "true");
			this.form.elements.name.focus();
			return;
		}
		await busy(this.form, async () => {
			try {
				this.onCreated(await api.createGroup(name, this.picker.selectedIds()));
			} catch (error) {
				showErrors(this.form, error);
			}
		});
	}
}

export class GroupInfoPanel {
	/**
	 * @param {object} options
	 *   me: the signed-in user
	 *   users(): everyone one knows, by name (whom an admin may add)
	 *   userOf(userId): a user object, or null
	 *   onGroup(group): the server answered with the changed group
	 *   onLeft(groupId): one left the group
	 *   onClose(): the panel was closed
	 */
	constructor({me, users, userOf, onGroup, onLeft, onClose}) {
		this.me = me;
		this.users = users;
		this.userOf = userOf;
		this.onGroup = onGroup;
		this.onLeft = onLeft;
		this.group = null;

		this.avatarSlot = h("span", {class: "profile-avatar"});
		this.nameText = h("p", {class: "profile-name"});
		this.summary = h("p", {class: "field-hint"});
		const top = h("div", {class: "profile-section profile-picture"}, this.avatarSlot, this.nameText, this.summary);

		this.renameForm = h("form", {class: "profile-section", novalidate: true, "aria-label": "Rename the group"},
			field({id: "group-name", label: "Group name", name: "name", maxlength: MAX_NAME, required: true, autocomplete: "off"}),
			h("p", {class: "form-error", role: "alert"}),
			h("button", {type: "submit", class: "primary", text: "Rename"}));
		this.renameForm.addEventListener("submit", (event) => { event.preventDefault(); this.rename(); });

		this.membersTitle = h("h3");
		this.memberList = h("ul", {class: "member-list", "aria-label": "Members"});
		this.membersError = h("p", {class: "form-error", role: "alert"});
		const members = h("div", {class: "profile-section"}, this.membersTitle, this.membersError, this.memberList);

		this.picker = new MemberPicker({id: "group-add", label: "Add members"});
		this.addForm = h("form", {class: "profile-section", novalidate: true, "aria-label": "Add members"},
			this.picker.element,
			h("p", {class: "field-error", role: "alert", "data-field": "userIds"}),
			h("p", {class: "form-error", role: "alert"}),
			h("button", {type: "submit", class: "primary", text: "Add to group"}));
		this.addForm.addEventListener("submit", (event) => { event.preventDefault(); this.addMembers(); });

		this.askLeaveButton = h("button", {type: "button", class: "danger-button", onclick: () => this.askLeave(true), text: "Leave group"});
		this.leaveQuestion = h("p", {class: "leave-question"});
		this.leaveConfirm = h("div", {class: "delete-confirm", hidden: true},
			this.leaveQuestion,
			h("div", {class: "button-row"},
				h("button", {type: "submit", class: "danger-button solid", text: "Leave"}),
				h("button", {type: "button", class: "secondary-button", text: "Cancel", onclick: () => this.askLeave(false)})));
		this.leaveForm = h("form", {class: "profile-section danger-zone", novalidate: true, "aria-label": "Leave the group"},
			this.askLeaveButton,
			this.leaveConfirm,
			h("p", {class: "form-error", role: "alert"}));
		this.leaveForm.addEventListener("submit", (event) => { event.preventDefault(); this.leave(); });

		const {element, back} = panel({label: "Group info", title: "Group info", onClose}, top, this.renameForm, members, this.addForm, this.leaveForm);
		this.element = element;
		this.back = back;
	}

	/** Opens the panel on a group. */
	open(group) {
		for (const form of [this.renameForm, this.addForm, this.leaveForm]) clearErrors(form);
		this.membersError.textContent = "";
		this.askLeave(false);
		this.picker.reset();
		this.show(group);
		this.back.focus();
	}

	isAdmin(group, userId) {
		return (group.members || []).some((member) => Number(member.userId) === Number(userId) && member.role === "admin");
	}

	name(userId) {
		if (Number(userId) === Number(this.me.id)) return "You";
		const user = this.userOf(userId);
		return user ? user.userName : `#${userId}`;
	}

	/** Shows the group as it now is (a live change, or an action's answer). */
	show(group) {
		this.group = group;
		const members = group.members || [];
		const admin = this.isAdmin(group, this.me.id);
		clear(this.avatarSlot).append(avatar({userName: group.name, image: null}, "xl"));
		this.nameText.textContent = group.name;
		this.summary.textContent = `Group · ${members.length} ${members.length === 1 ? "member" : "members"}`;
		const nameInput = this.renameForm.elements.name;
		if (document.activeElement !== nameInput) nameInput.value = group.name;
		this.renameForm.hidden = !admin;
		this.addForm.hidden = !admin;
		this.membersTitle.textContent = `${members.length} ${members.length === 1 ? "member" : "members"}`;
		// You first, then admins, then by name.
		const sorted = [...members].sort((a, b) => {
			const rank = (member) => (Number(member.userId) === Number(this.me.id) ? 0 : member.role === "admin" ? 1 : 2);
			return rank(a) - rank(b) || this.name(a.userId).localeCompare(this.name(b.userId));
		});
		clear(this.memberList);
		for (const member of sorted) this.memberList.append(this.renderMember(member, admin));
		const inGroup = new Set(members.map((member) => Number(member.userId)));
		this.picker.setUsers(this.users().filter((user) => !inGroup.has(Number(user.id))));
	}

	renderMember(member, admin) {
		const userId = Number(member.userId);
		const self = userId === Number(this.me.id);
		const name = this.name(userId);
		const isAdmin = member.role === "admin";
		const actions = admin && !self ? h("span", {class: "member-actions"},
			h("button", {type: "button", class: "secondary-button",
				"aria-label": `${isAdmin ? "Dismiss as admin" : "Make admin"}: ${name}`,
				onclick: () => this.act(() => api.setRole(this.group.id, userId, isAdmin ? "member" : "admin")),
				text: isAdmin ? "Dismiss as admin" : "Make admin"}),
			h("button", {type: "button", class: "danger-button", "aria-label": `Remove ${name}`,
				onclick: () => this.act(async () => {
					await api.removeMember(this.group.id, userId);
					return api.group(this.group.id);
				}),
				text: "Remove"})) : null;
		const user = self ? this.me : this.userOf(userId);
		return h("li", {class: "member", "data-user-id": userId},
			avatar(user || {userName: name, image: null}, "md"),
			h("span", {class: "member-main"},
				h("span", {class: "member-name", text: name}),
				user && user.info ? h("span", {class: "member-info", text: user.info}) : null),
			isAdmin ? h("span", {class: "admin-badge", text: "Group admin"}) : null,
			actions);
	}

	/** A member action (role, removal): the group it answers is shown, a refusal above the list. */
	async act(work) {
		this.membersError.textContent = "";
		for (const button of this.memberList.querySelectorAll("button")) button.disabled = true;
		try {
			this.onGroup(await work());
		} catch (error) {
			this.membersError.textContent = sentence(error.message);
		} finally {
			for (const button of this.memberList.querySelectorAll("button")) button.disabled = false;
		}
	}

	async rename() {
		clearErrors(this.renameForm);
		await busy(this.renameForm, async () => {
			try {
				this.onGroup(await api.renameGroup(this.group.id, this.renameForm.elements.name.value.trim()));
			} catch (error) {
				showErrors(this.renameForm, error);
			}
		});
	}

	async addMembers() {
		clearErrors(this.addForm);
		const ids = this.picker.selectedIds();
		if (!ids.length) {
			this.addForm.querySelector(".form-error").textContent = "Tick whom to add first.";
			return;
		}
		await busy(this.addForm, async () => {
			try {
				const group = await api.addMembers(this.group.id, ids);
				this.picker.reset();
				this.onGroup(group);
			} catch (error) {
				showErrors(this.addForm, error);
			}
		});
	}

	/** Leaving takes a second click, on the question that names the group. */
	askLeave(asking) {
		this.leaveConfirm.hidden = !asking;
		this.askLeaveButton.hidden = asking;
		if (!asking) return;
		const admins = (this.group.members || []).filter((member) => member.role === "admin");
		const lastAdmin = admins.length === 1 && Number(admins[0].userId) === Number(this.me.id) && this.group.members.length > 1;
		this.leaveQuestion.textContent = `Leave “${this.group.name}”? You will no longer get its messages.`
			+ (lastAdmin ? " The longest-standing member becomes admin." : "");
		this.leaveConfirm.querySelector("button[type=submit]").focus();
	}

	async leave() {
		clearErrors(this.leaveForm);
		await busy(this.leaveForm, async () => {
			try {
				await api.removeMember(this.group.id, this.me.id);
				this.onLeft(this.group.id);
			} catch (error) {
				showErrors(this.leaveForm, error);
			}
		});
	}
}
