// echobot: an example bot. It has a user account of its own, a service
// account that nobody can log in as, created through the SDK; it answers
// every direct message sent to that account, and has a route, GET /echobot,
// and two declared settings, [echobot] account and prefix.
//
// The threads, since a bot's mistakes there stall everyone's messages:
// - info(), initialize(), start(), stop(): palaverd's main thread (or the
//   admin thread for palaverctl plugins enable|disable|reload).
// - the message.stored subscriber: the message store's publisher thread,
//   which every user's messages wait for: it only hands the message over to
//   the plugin's WorkQueue, never posts with the blocking post().
// - the WorkQueue task: one of the core's work threads, one task at a time
//   in order; it may block, and posts the answer with postAsync().
// - postAsync()'s callback: the publisher thread again: counts, no more.
// - the route: a worker thread of the core's HTTP pool, any number at once.
#include <palaver/EventBus.h>
#include <palaver/Events.h>
#include <palaver/HttpError.h>
#include <palaver/Message.h>
#include <palaver/Plugin.h>
#include <palaver/PluginContext.h>
#include <palaver/Request.h>
#include <palaver/Response.h>
#include <palaver/Router.h>
#include <palaver/ServiceRegistry.h>
#include <palaver/Setting.h>
#include <palaver/services/MessageStore.h>
#include <palaver/services/UserDirectory.h>
#include <palaver/services/WorkQueue.h>
#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>
#include <Poco/Util/AbstractConfiguration.h>
#include <atomic>
#include <memory>
#include <string>

namespace EchoBot {

class EchoBotPlugin: public Palaver::Plugin
{
public:
	Palaver::PluginInfo info() const override
	{
		Palaver::PluginInfo info;
		info.name = "echobot";
		info.version = "1.0.0";
		info.needs = {"auth", "messages"};  // its account, and the messages it reads and writes
		info.settings = {
			Palaver::Setting::string("account", "echobot", "the bot's user name (a service account, created at the first start)"),
			Palaver::Setting::string("prefix", "echo:", "put before the text it sends back, with a space"),
		};
		return info;
	}

	void initialize(Palaver::PluginContext& context) override
	{
		_accountName = context.config().getString("account");
		_prefix = context.config().getString("prefix");
		_users = context.services().require<Palaver::UserDirectory>();
		_store = context.services().require<Palaver::MessageStore>();
		_work = context.services().require<Palaver::WorkQueue>();
		_logger = &context.logger();

		context.router().add("GET", "/echobot", [this](Palaver::Request&, Palaver::Response& response)
		{
			Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
			body->set("account", _accountName);
			body->set("accountId", _accountId.load());
			body->set("prefix", _prefix);
			body->set("answered", _answered.load());
			body->set("failed", _failed.load());
			response.sendJson(200, body);
		});

		context.events().subscribe(Palaver::Events::MESSAGE_STORED, [this](const std::string&, const Poco::JSON::Object::Ptr& payload)
		{
			const Palaver::Message message = Palaver::Message::fromJson(*payload);
			const Poco::Int64 bot = _accountId.load();
			if (bot == 0 || message.toUserId != bot || message.fromUserId == bot || message.groupId != 0) return;
			try
			{
				_work->submit([this, message] { answer(message); });
			}
			catch (const Palaver::HttpError&)
			{
				++_failed;  // busy: this one goes unanswered
			}
		});
	}

	void start() override
	{
		// A database write: here, not on an I/O or the publisher thread. The
		// account is this plugin's own, so MessageStore lets it post as it.
		_account = _users->serviceAccount(_accountName);
		_accountId = _account.id;  // after _account: a task sees it whole
		_logger->information("echobot answers messages to %s (user %Ld)", _account.userName, _account.id);
	}

	/// palaverctl plugins disable|reload echobot unloads it while palaverd
	/// runs: its routes and subscriber are taken away first, and its
	/// WorkQueue tasks have run before stop(); no thread of its own is left.
	bool reloadable() const override
	{
		return true;
	}

private:
	void answer(const Palaver::Message& message)
	{
		// postAsync() throws at once what it can tell before queueing (e.g.
		// 400 for a text too long with the prefix): the work queue logs it.
		_store->postAsync(_account, message.fromUserId, _prefix + " " + message.text,
			[this](const Palaver::Message* stored, const Palaver::HttpError*)
			{
				if (stored) ++_answered; else ++_failed;
			});
	}

	std::string _accountName;
	std::string _prefix;
	Palaver::User _account;                 // set in start(), read by the tasks only
	std::atomic<Poco::Int64> _accountId{0};  // 0 until start(): the subscriber ignores everything
	std::shared_ptr<Palaver::UserDirectory> _users;
	std::shared_ptr<Palaver::MessageStore> _store;
	std::shared_ptr<Palaver::WorkQueue> _work;
	Poco::Logger* _logger = nullptr;
	std::atomic<long> _answered{0};
	std::atomic<long> _failed{0};
};

} // namespace EchoBot

PALAVER_PLUGIN(EchoBot::EchoBotPlugin)
