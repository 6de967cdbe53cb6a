#include "PresenceAudience.h"
#include "palaver/services/GroupDirectory.h"
#include "palaver/services/MessageStore.h"

namespace Palaver {
namespace Ws {

PresenceAudience::Chats PresenceAudience::load(MessageStore* store, GroupDirectory* groups, Poco::Int64 userId)
{
	Chats chats;
	if (store) chats.partners = store->partnersOf(userId, PARTNERS_MAX);
	if (groups)
	{
		for (const MessageStore::GroupWindow& window: groups->windowsOf(userId))
			chats.groups.emplace_back(window.groupId, groups->membersOf(window.groupId));
	}
	return chats;
}

std::uint64_t PresenceAudience::expect(Poco::Int64 userId)
{
	Pending& pending = _pending[userId];
	pending = Pending();
	pending.ticket = ++_tickets;
	return pending.ticket;
}

PresenceAudience::Installed PresenceAudience::install(Poco::Int64 userId, std::uint64_t ticket, const Chats& chats, bool force)
{
	auto it = _pending.find(userId);
	if (it == _pending.end() || it->second.ticket != ticket) return Installed::Outdated;
	if (it->second.groupsChanged && !force)
	{
		it->second.groupsChanged = false;
		return Installed::Stale;
	}
	const std::vector<Poco::Int64> seen = std::move(it->second.partnersSeen);
	_pending.erase(it);
	_local[userId];
	for (Poco::Int64 partner: chats.partners) addPartner(userId, partner);
	for (Poco::Int64 partner: seen) addPartner(userId, partner);
	for (const auto& group: chats.groups) joinGroup(userId, group.first, &group.second);
	return Installed::Taken;
}

bool PresenceAudience::loaded(Poco::Int64 userId) const
{
	return _local.count(userId) != 0;
}

void PresenceAudience::forget(Poco::Int64 userId)
{
	_pending.erase(userId);
	auto it = _local.find(userId);
	if (it == _local.end()) return;
	for (Poco::Int64 partner: it->second.partners) eraseFrom(_directWatchers, partner, userId);
	const std::unordered_set<Poco::Int64> groups = it->second.groups;
	for (Poco::Int64 groupId: groups) leaveGroup(userId, groupId);
	_local.erase(userId);
}

bool PresenceAudience::addPartner(Poco::Int64 local, Poco::Int64 partner)
{
	auto pending = _pending.find(local);
	if (pending != _pending.end())
	{
		// Its load may have read the partners before this message.
		pending->second.partnersSeen.push_back(partner);
		return false;
	}
	auto it = _local.find(local);
	if (it == _local.end() || !it->second.partners.insert(partner).second) return false;
	_directWatchers[partner].insert(local);
	return true;
}

void PresenceAudience::joinGroup(Poco::Int64 local, Poco::Int64 groupId, const std::vector<Poco::Int64>* members)
{
	if (!_local[local].groups.insert(groupId).second) return;
	auto tracked = _groups.find(groupId);
	if (tracked == _groups.end())
	{
		// Its first local member: the members as loaded (or as the event said).
		tracked = _groups.emplace(groupId, TrackedGroup()).first;
		if (members) tracked->second.members = *members;
		for (Poco::Int64 member: tracked->second.members) _memberOf[member].insert(groupId);
	}
	++tracked->second.localMembers;
}

void PresenceAudience::leaveGroup(Poco::Int64 local, Poco::Int64 groupId)
{
	auto it = _local.find(local);
	if (it == _local.end() || it->second.groups.erase(groupId) == 0) return;
	auto tracked = _groups.find(groupId);
	if (tracked != _groups.end() && --tracked->second.localMembers == 0) untrack(groupId);
}

void PresenceAudience::untrack(Poco::Int64 groupId)
{
	auto tracked = _groups.find(groupId);
	if (tracked == _groups.end()) return;
	for (Poco::Int64 member: tracked->second.members) eraseFrom(_memberOf, member, groupId);
	_groups.erase(tracked);
}

void PresenceAudience::setGroupMembers(Poco::Int64 groupId, const std::vector<Poco::Int64>& memberIds)
{
	const std::unordered_set<Poco::Int64> now(memberIds.begin(), memberIds.end());
	auto tracked = _groups.find(groupId);
	const std::vector<Poco::Int64> before = tracked != _groups.end() ? tracked->second.members : std::vector<Poco::Int64>();
	// A user whose chats are being loaded may have read the group before this change.
	for (const std::vector<Poco::Int64>* list: {&before, &memberIds})
	{
		for (Poco::Int64 member: *list)
		{
			auto pending = _pending.find(member);
			if (pending != _pending.end()) pending->second.groupsChanged = true;
		}
	}
	if (tracked != _groups.end())
	{
		for (Poco::Int64 member: before)
		{
			if (!now.count(member)) eraseFrom(_memberOf, member, groupId);
		}
		for (Poco::Int64 member: memberIds) _memberOf[member].insert(groupId);
		tracked->second.members = memberIds;
	}
	// Joins first: the group stays tracked while a local member remains.
	for (Poco::Int64 member: memberIds)
	{
		if (_local.count(member)) joinGroup(member, groupId, &memberIds);
	}
	for (Poco::Int64 member: before)
	{
		if (!now.count(member)) leaveGroup(member, groupId);
	}
}

void PresenceAudience::watchersOf(Poco::Int64 userId, std::unordered_set<Poco::Int64>& out) const
{
	auto direct = _directWatchers.find(userId);
	if (direct != _directWatchers.end()) out.insert(direct->second.begin(), direct->second.end());
	auto groups = _memberOf.find(userId);
	if (groups == _memberOf.end()) return;
	for (Poco::Int64 groupId: groups->second)
	{
		for (Poco::Int64 member: _groups.at(groupId).members)
		{
			if (member != userId && _local.count(member)) out.insert(member);
		}
	}
}

std::unordered_set<Poco::Int64> PresenceAudience::partnersOf(Poco::Int64 userId) const
{
	std::unordered_set<Poco::Int64> partners;
	auto it = _local.find(userId);
	if (it == _local.end()) return partners;
	partners.insert(it->second.partners.begin(), it->second.partners.end());
	for (Poco::Int64 groupId: it->second.groups)
	{
		const TrackedGroup& group = _groups.at(groupId);
		partners.insert(group.members.begin(), group.members.end());
	}
	partners.erase(userId);
	return partners;
}

void PresenceAudience::subscribe(const Subscriber& subscriber, const std::vector<Poco::Int64>& userIds)
{
	const std::uint64_t socketId = subscriber.socket->id();
	unsubscribe(socketId);
	if (userIds.empty()) return;
	Subscription& subscription = _subscriptions[socketId];
	subscription.subscriber = subscriber;
	subscription.userIds = userIds;
	for (Poco::Int64 userId: userIds) _subscribers[userId].insert(socketId);
}

void PresenceAudience::unsubscribe(std::uint64_t socketId)
{
	auto it = _subscriptions.find(socketId);
	if (it == _subscriptions.end()) return;
	for (Poco::Int64 userId: it->second.userIds) eraseFrom(_subscribers, userId, socketId);
	_subscriptions.erase(it);
}

std::vector<std::pair<std::uint64_t, std::vector<Poco::Int64>>> PresenceAudience::subscriptions() const
{
	std::vector<std::pair<std::uint64_t, std::vector<Poco::Int64>>> all;
	all.reserve(_subscriptions.size());
	for (const auto& entry: _subscriptions) all.emplace_back(entry.first, entry.second.userIds);
	return all;
}

} } // namespace Palaver::Ws
