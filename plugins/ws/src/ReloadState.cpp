#include "ReloadState.h"
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <sstream>

namespace Palaver {
namespace Ws {

namespace {

Poco::JSON::Array::Ptr idArray(const std::vector<Poco::Int64>& ids)
{
	Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
	for (Poco::Int64 id: ids) array->add(id);
	return array;
}

std::vector<Poco::Int64> idsOf(const Poco::JSON::Array::Ptr& array)
{
	std::vector<Poco::Int64> ids;
	if (!array) return ids;
	ids.reserve(array->size());
	for (std::size_t i = 0; i < array->size(); ++i) ids.push_back(array->getElement<Poco::Int64>(static_cast<unsigned>(i)));
	return ids;
}

} // namespace

std::string ReloadState::toJson() const
{
	Poco::JSON::Object root;
	root.set("format", FORMAT);
	Poco::JSON::Array::Ptr connectionList = new Poco::JSON::Array;
	for (const auto& entry: connections)
	{
		Poco::JSON::Object::Ptr connection = new Poco::JSON::Object;
		// A string: socket ids are unsigned 64-bit.
		connection->set("id", std::to_string(entry.first));
		connection->set("authDeadlineMs", entry.second.authDeadlineMs);
		connection->set("subscribed", idArray(entry.second.subscribed));
		connectionList->add(connection);
	}
	root.set("connections", connectionList);
	root.set("localUsers", idArray(localUsers));
	Poco::JSON::Array::Ptr ended = new Poco::JSON::Array;
	for (const auto& session: endedSessions)
	{
		Poco::JSON::Object::Ptr entry = new Poco::JSON::Object;
		entry->set("atMs", session.first);
		entry->set("session", session.second);
		ended->add(entry);
	}
	root.set("endedSessions", ended);
	Poco::JSON::Object::Ptr remote = new Poco::JSON::Object;
	for (const auto& node: remoteUsers) remote->set(node.first, idArray(node.second));
	root.set("remoteUsers", remote);
	Poco::JSON::Object::Ptr heard = new Poco::JSON::Object;
	for (const auto& node: nodesHeard) heard->set(node.first, node.second);
	root.set("nodesHeard", heard);
	std::ostringstream out;
	root.stringify(out);
	return out.str();
}

ReloadState ReloadState::fromJson(const std::string& json)
{
	ReloadState state;
	try
	{
		Poco::JSON::Parser parser;
		const Poco::JSON::Object::Ptr root = parser.parse(json).extract<Poco::JSON::Object::Ptr>();
		if (!root || root->optValue<int>("format", 0) != FORMAT) return state;
		const Poco::JSON::Array::Ptr connectionList = root->getArray("connections");
		for (std::size_t i = 0; connectionList && i < connectionList->size(); ++i)
		{
			const Poco::JSON::Object::Ptr entry = connectionList->getObject(static_cast<unsigned>(i));
			Connection& connection = state.connections[std::stoull(entry->getValue<std::string>("id"))];
			connection.authDeadlineMs = entry->getValue<Poco::Int64>("authDeadlineMs");
			connection.subscribed = idsOf(entry->getArray("subscribed"));
		}
		state.localUsers = idsOf(root->getArray("localUsers"));
		const Poco::JSON::Array::Ptr ended = root->getArray("endedSessions");
		for (std::size_t i = 0; ended && i < ended->size(); ++i)
		{
			const Poco::JSON::Object::Ptr entry = ended->getObject(static_cast<unsigned>(i));
			state.endedSessions.emplace_back(entry->getValue<Poco::Int64>("atMs"), entry->getValue<std::string>("session"));
		}
		const Poco::JSON::Object::Ptr remote = root->getObject("remoteUsers");
		if (remote)
		{
			for (const auto& node: *remote) state.remoteUsers[node.first] = idsOf(remote->getArray(node.first));
		}
		const Poco::JSON::Object::Ptr heard = root->getObject("nodesHeard");
		if (heard)
		{
			for (const auto& node: *heard) state.nodesHeard[node.first] = heard->getValue<Poco::Int64>(node.first);
		}
	}
	catch (Poco::Exception&)
	{
		return ReloadState();
	}
	catch (std::exception&)
	{
		return ReloadState();  // std::stoull of a bad id
	}
	return state;
}

} } // namespace Palaver::Ws
