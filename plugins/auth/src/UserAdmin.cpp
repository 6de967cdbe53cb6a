#include "UserAdmin.h"
#include "AccountRoutes.h"
#include "PasswordHasher.h"
#include "SessionEvents.h"
#include "SessionToken.h"
#include "UserStore.h"
#include "palaver/services/AdminCommands.h"
#include "palaver/services/UserDirectory.h"
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Exception.h>
#include <Poco/NumberParser.h>
#include <Poco/Timestamp.h>

namespace Palaver {
namespace Auth {

UserAdmin::UserAdmin(std::shared_ptr<UserStore> store, AccountRoutes& accounts, PasswordHasher& hasher, EventBus& events, UserDirectory& directory):
	_store(std::move(store)),
	_accounts(accounts),
	_hasher(hasher),
	_events(events),
	_directory(directory)
{
}

void UserAdmin::addCommands(AdminCommands& commands)
{
	commands.add("users list", "", [this](const std::vector<std::string>&) { return list(); });
	commands.add("users disable", "NAME", [this](const std::vector<std::string>& a) { return setDisabled(a, true); });
	commands.add("users enable", "NAME", [this](const std::vector<std::string>& a) { return setDisabled(a, false); });
	commands.add("users delete", "NAME", [this](const std::vector<std::string>& a) { return remove(a); });
	commands.add("users reset-password", "NAME", [this](const std::vector<std::string>& a) { return resetPassword(a); });
	commands.add("users add-service", "NAME", [this](const std::vector<std::string>& a) { return addService(a); });
	commands.add("invite create", "[--uses N] [--expires 7d]", [this](const std::vector<std::string>& a) { return createInvite(a); });
}

Poco::Int64 UserAdmin::parseDuration(const std::string& text)
{
	if (text.empty() || text.size() > 12) throw Poco::InvalidArgumentException("a duration is like 30m, 12h or 7d, not", text);
	Poco::Int64 unit = 1;
	std::string digits = text;
	switch (text.back())
	{
	case 'm': unit = 60; digits.pop_back(); break;
	case 'h': unit = 3600; digits.pop_back(); break;
	case 'd': unit = 86400; digits.pop_back(); break;
	case 's': digits.pop_back(); break;
	default: break;
	}
	Poco::Int64 value = 0;
	if (!Poco::NumberParser::tryParse64(digits, value) || value < 1 || value > 3650LL * 86400 / unit)
		throw Poco::InvalidArgumentException("a duration is like 30m, 12h or 7d (at most 10 years), not", text);
	return value * unit;
}

Poco::Int64 UserAdmin::userNamed(const std::vector<std::string>& arguments)
{
	if (arguments.size() != 1) throw Poco::InvalidArgumentException("give exactly one user NAME");
	Poco::Optional<UserStore::Credentials> user = _store->findByName(arguments[0]);
	if (!user.isSpecified()) throw Poco::NotFoundException("no user named", arguments[0]);
	return user.value().user.id;
}

std::string UserAdmin::list()
{
	std::string out;
	for (const UserStore::Listed& user: _store->listForAdmin())
	{
		out += std::to_string(user.id) + "\t" + user.userName + "\t" + (user.disabled ? "disabled" : "enabled") + "\t" +
			Poco::DateTimeFormatter::format(Poco::Timestamp(user.createdAt), Poco::DateTimeFormat::ISO8601_FORMAT) + "\n";
	}
	return out;
}

std::string UserAdmin::addService(const std::vector<std::string>& arguments)
{
	if (arguments.size() != 1) throw Poco::InvalidArgumentException("give exactly one user NAME");
	// An HttpError (a bad name, a user with a password) is printed as the error.
	const User user = _directory.serviceAccount(arguments[0]);
	return "service account " + user.userName + " (id " + std::to_string(user.id) + "): no log-in\n";
}

std::string UserAdmin::setDisabled(const std::vector<std::string>& arguments, bool disabled)
{
	const Poco::Int64 id = userNamed(arguments);
	const std::vector<std::string> ended = _store->setDisabled(id, disabled);
	SessionEvents::ended(_events, id, ended);
	if (!disabled) return "user " + arguments[0] + " enabled\n";
	return "user " + arguments[0] + " disabled; " + std::to_string(ended.size()) + " sessions ended\n";
}

std::string UserAdmin::remove(const std::vector<std::string>& arguments)
{
	const Poco::Int64 id = userNamed(arguments);
	_accounts.removeAccount(id);
	return "user " + arguments[0] + " deleted\n";
}

std::string UserAdmin::resetPassword(const std::vector<std::string>& arguments)
{
	const Poco::Int64 id = userNamed(arguments);
	// 96 random bits, shown once to the administrator, never logged.
	const std::string password = SessionToken::randomHex(12);
	_accounts.setPassword(id, _hasher.hash(password), "");
	return "new password of " + arguments[0] + " (every session ended): " + password + "\n";
}

std::string UserAdmin::createInvite(const std::vector<std::string>& arguments)
{
	Poco::Int64 uses = 1;
	Poco::Int64 expiresAt = 0;
	for (std::size_t i = 0; i < arguments.size(); ++i)
	{
		const bool hasValue = i + 1 < arguments.size();
		if (arguments[i] == "--uses" && hasValue)
		{
			if (!Poco::NumberParser::tryParse64(arguments[++i], uses) || uses < 1 || uses > MAX_INVITE_USES)
				throw Poco::InvalidArgumentException("--uses takes a number from 1 to " + std::to_string(MAX_INVITE_USES));
		}
		else if (arguments[i] == "--expires" && hasValue)
		{
			expiresAt = UserStore::timeNow() + parseDuration(arguments[++i]) * 1000000;
		}
		else
		{
			throw Poco::InvalidArgumentException("usage: palaverctl invite create [--uses N] [--expires 7d]");
		}
	}
	const std::string code = SessionToken::randomHex(SessionToken::INVITE_LENGTH / 2);
	_store->createInvite(SessionToken::hash(code), uses, expiresAt);
	std::string out = code + "\n";
	out += "(" + std::to_string(uses) + (uses == 1 ? " use" : " uses");
	if (expiresAt > 0) out += ", until " + Poco::DateTimeFormatter::format(Poco::Timestamp(expiresAt), Poco::DateTimeFormat::ISO8601_FORMAT);
	return out + ")\n";
}

} } // namespace Palaver::Auth
