#include "AuthPlugin.h"
#include "AccountRoutes.h"
#include "AddressLimits.h"
#include "AuthService.h"
#include "AvatarImages.h"
#include "AvatarStore.h"
#include "Fields.h"
#include "LoginThrottle.h"
#include "PasswordHasher.h"
#include "SessionEvents.h"
#include "SessionSweeper.h"
#include "SessionToken.h"
#include "UserAdmin.h"
#include "UserName.h"
#include "UserStore.h"
#include "WsTickets.h"
#include "palaver/Counter.h"
#include "palaver/EventBus.h"
#include "palaver/Events.h"
#include "palaver/HttpError.h"
#include "palaver/Metrics.h"
#include "palaver/PluginContext.h"
#include "palaver/Request.h"
#include "palaver/Response.h"
#include "palaver/Router.h"
#include "palaver/ServiceRegistry.h"
#include "palaver/Setting.h"
#include "palaver/Utf8.h"
#include "palaver/services/AdminCommands.h"
#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>
#include <Poco/NumberFormatter.h>
#include <Poco/Util/AbstractConfiguration.h>
#include <algorithm>

namespace Palaver {
namespace Auth {

namespace {

const Poco::Int64 DEFAULT_SESSION_TTL = 30 * 24 * 3600;
const Poco::Int64 MAX_SESSION_TTL = 10LL * 366 * 24 * 3600;
const std::size_t DEFAULT_MAX_IMAGE = 2 * 1024 * 1024;
const std::size_t MAX_STORED_IMAGE = 16 * 1024 * 1024;
const std::size_t DEFAULT_REGISTER_BODY = 3 * 1024 * 1024;
// Session cache: seconds an entry may answer for the database, and entries.
const Poco::Int64 DEFAULT_SESSION_CACHE_TTL = 10;
const Poco::Int64 MAX_SESSION_CACHE_TTL = 300;
const std::size_t DEFAULT_SESSION_CACHE_SIZE = 10000;
const std::size_t MAX_SESSION_CACHE_SIZE = 1000000;
// WebSocket tickets: seconds one lasts (bounds of [auth] ws_ticket_ttl), and how many may wait.
const Poco::Int64 DEFAULT_WS_TICKET_TTL = 30;
const Poco::Int64 MAX_WS_TICKET_TTL = 300;
const std::size_t WS_TICKET_CAPACITY = 100000;

// The one answer for a wrong name and for a wrong password.
const char* const BAD_CREDENTIALS = "wrong user name or password";

} // namespace

AuthPlugin::AuthPlugin() = default;

AuthPlugin::~AuthPlugin() = default;

PluginInfo AuthPlugin::info() const
{
	PluginInfo info;
	info.name = "auth";
	info.version = "1.0.0";
	const AddressLimits::Settings addressLimits;
	info.settings = {
		Setting::integer("session_ttl", DEFAULT_SESSION_TTL, 1, MAX_SESSION_TTL, "seconds a session lasts; re-read on SIGHUP"),
		Setting::boolean("secure_cookie", false, "add Secure to the palaver_session cookie (always so with an https [http] public_url); re-read on SIGHUP"),
		Setting::oneOf("registration", "open", {"open", "invite", "closed"},
			"who may POST /register: anyone, holders of an invite code (palaverctl invite create), nobody; re-read on SIGHUP"),
		Setting::integer("ws_ticket_ttl", DEFAULT_WS_TICKET_TTL, 1, MAX_WS_TICKET_TTL, "seconds a WebSocket ticket (POST /ws/ticket) stays usable; re-read on SIGHUP"),
		Setting::integer("session_cache_ttl", -1, -1, MAX_SESSION_CACHE_TTL,
			"seconds a looked-up session is answered from memory (0: off); -1: 10, or 0 when [cluster] bus is not local; re-read on SIGHUP"),
		Setting::integer("session_cache_size", static_cast<Poco::Int64>(DEFAULT_SESSION_CACHE_SIZE), 0, static_cast<Poco::Int64>(MAX_SESSION_CACHE_SIZE),
			"sessions in that cache at most, the oldest go first (0: off); re-read on SIGHUP"),
		Setting::integer("password_opslimit", static_cast<Poco::Int64>(PasswordHasher::interactive().opsLimit), 1, 4294967295LL,
			"argon2id passes; below libsodium's interactive 2: for tests only (warned)"),
		Setting::integer("password_memlimit", static_cast<Poco::Int64>(PasswordHasher::interactive().memLimit), 8192, 4398046510080LL,
			"argon2id memory in bytes; below libsodium's interactive 64 MiB: for tests only (warned)"),
		Setting::integer("hash_concurrency", 2, 1, 1024, "password hashes and verifications at once"),
		Setting::integer("hash_wait_timeout", 10000, 1, 600000, "milliseconds a request waits for a hashing slot before 503 busy"),
		Setting::integer("hash_max_waiting", 16, 0, 100000, "requests waiting for a hashing slot at most; more get 503 busy at once"),
		Setting::integer("login_max_failures", 5, 1, 1000, "failed log-ins per user name and window before 429"),
		Setting::integer("login_failure_window", 900, 1, 86400, "seconds of the failed log-in window"),
		Setting::integer("login_throttle_size", 10000, 1, 10000000, "user names the log-in throttle counts and keeps locked at most"),
		Setting::integer("login_per_address", addressLimits.loginPerMinute, 0, 1000000, "log-in attempts per client address and minute, then 429 (0: no limit)"),
		Setting::integer("register_per_address", addressLimits.registerPerHour, 0, 1000000, "POST /register attempts per client address and hour, then 429 (0: no limit)"),
		Setting::string("rate_exempt", addressLimits.exempt, "addresses and networks (CIDR, spaces or commas between) never limited per address"),
		Setting::string("trusted_proxies", addressLimits.trustedProxies, "proxies whose X-Forwarded-For is believed (CIDR, spaces or commas between)"),
		Setting::integer("address_limit_size", static_cast<Poco::Int64>(addressLimits.capacity), 1, 100000000, "client addresses each per-address limit remembers"),
		Setting::integer("max_image_size", static_cast<Poco::Int64>(DEFAULT_MAX_IMAGE), 1, static_cast<Poco::Int64>(MAX_STORED_IMAGE), "the largest avatar, bytes; past it 413"),
		Setting::integer("avatar_size", AvatarImages::DEFAULT_SIZE, 16, 4096,
			"pixels on an avatar's longer side at most: avatars are re-encoded (no EXIF/GPS) and shrunk by the attachments plugin, refused without it"),
		Setting::integer("register_max_body", static_cast<Poco::Int64>(DEFAULT_REGISTER_BODY), 1024, 1LL << 30, "the largest POST /register and POST /me/image body, bytes"),
	};
	return info;
}

void AuthPlugin::initialize(PluginContext& context)
{
	const Poco::Util::AbstractConfiguration& config = context.config();
	_logger = &context.logger();
	_events = &context.events();

	PasswordHasher::Limits limits = PasswordHasher::interactive();
	limits.opsLimit = config.getUInt64("password_opslimit");
	limits.memLimit = static_cast<std::size_t>(config.getUInt64("password_memlimit"));
	if (PasswordHasher::weakerThanInteractive(limits))
		_logger->warning("password hashing limits are below libsodium's interactive limits: for tests only");
	_hasher.reset(new PasswordHasher(limits,
		config.getInt("hash_concurrency"),
		static_cast<long>(config.getInt("hash_wait_timeout")),
		config.getInt("hash_max_waiting")));

	_maxImageSize = static_cast<std::size_t>(config.getUInt64("max_image_size"));
	// Avatars stored under an earlier, larger max_image_size stay readable.
	_avatars.reset(new AvatarStore(context.stateDirectory() + "/img/", std::max(_maxImageSize, MAX_STORED_IMAGE)));
	_avatarImages.reset(new AvatarImages(*_avatars, context.services(), config.getInt("avatar_size")));
	_throttle.reset(new LoginThrottle(
		config.getInt("login_max_failures"),
		config.getInt("login_failure_window"),
		static_cast<std::size_t>(config.getUInt64("login_throttle_size"))));
	AddressLimits::Settings addressLimits;
	addressLimits.loginPerMinute = config.getInt("login_per_address");
	addressLimits.registerPerHour = config.getInt("register_per_address");
	addressLimits.exempt = config.getString("rate_exempt");
	addressLimits.trustedProxies = config.getString("trusted_proxies");
	addressLimits.capacity = static_cast<std::size_t>(config.getUInt64("address_limit_size"));
	_addressLimits.reset(new AddressLimits(addressLimits));
	// A log-out on another node of a cluster cannot reach this node's cache:
	// there the cache is off unless session_cache_ttl says otherwise.
	const std::string bus = context.serverConfig().getString("cluster.bus", "local");
	_clustered = !bus.empty() && bus != "local";

	_store = std::make_shared<UserStore>(context.database());
	_tickets = std::make_shared<WsTickets>(DEFAULT_WS_TICKET_TTL, WS_TICKET_CAPACITY);
	reconfigure(config);
	for (const auto& clash: _store->migrate())
	{
		_logger->warning("user names %s (id %Ld) and %s (id %Ld) differ only by case or width: both kept, "
			"and each can still log in; rename one to end the confusion", clash.keptName, clash.keptId, clash.name, clash.id);
	}
	_service = std::make_shared<AuthService>(_store, _tickets, context.origins(), context.events());
	context.services().offer<UserDirectory>(_service);

	Metrics& metrics = context.metrics();
	_registrations = &metrics.counter("palaver_auth_registrations_total", "Users registered.");
	_logins = &metrics.counter("palaver_auth_logins_total", "Successful log-ins.");
	_loginFailures = &metrics.counter("palaver_auth_login_failures_total", "Log-ins refused for a wrong user name or password.");
	_loginsThrottled = &metrics.counter("palaver_auth_logins_throttled_total", "Log-ins refused (429) after repeated failures.");
	_store->countSessionLookups(
		&metrics.counter("palaver_auth_session_cache_hits_total", "Session look-ups answered by the session cache."),
		&metrics.counter("palaver_auth_session_cache_misses_total", "Session look-ups that read the database."));

	Router& router = context.router();
	Router::Options registerOptions;
	registerOptions.maxBodySize = static_cast<std::size_t>(config.getUInt64("register_max_body"));
	router.add("POST", "/register", [this](Request& request, Response& response) { registerUser(request, response); }, registerOptions);
	router.add("POST", "/login", [this](Request& request, Response& response) { login(request, response); });
	router.add("POST", "/logout", [this](Request& request, Response& response) { logout(request, response); });
	router.add("GET", "/me", [this](Request& request, Response& response) { me(request, response); });
	router.add("GET", "/img/{name}", [this](Request& request, Response& response) { image(request, response); });
	router.add("POST", "/ws/ticket", [this](Request& request, Response& response) { wsTicket(request, response); });

	_sweeper.reset(new SessionSweeper(_store, *_events, *_logger));
	AccountRoutes::Parts parts{_store, _service, *_hasher, *_throttle, *_avatars, *_avatarImages, *_events, *_logger,
		_maxImageSize, registerOptions.maxBodySize};
	_accounts.reset(new AccountRoutes(parts, [this](Response& response) { setSessionCookie(response, "", 0); }));
	_accounts->addRoutes(router);
	if (auto admin = context.services().find<AdminCommands>())
	{
		_userAdmin.reset(new UserAdmin(_store, *_accounts, *_hasher, *_events, *_service));
		_userAdmin->addCommands(*admin);
	}
}

void AuthPlugin::start()
{
	_sweeper->start();
}

void AuthPlugin::stop()
{
	if (_sweeper) _sweeper->stop();
}

void AuthPlugin::reconfigure(const Poco::Util::AbstractConfiguration& config)
{
	// The declared ranges (info().settings) were checked by palaverd.
	_sessionTtl = config.getInt64("session_ttl");
	_secureCookie = config.getBool("secure_cookie");
	if (_tickets) _tickets->setTtl(config.getInt64("ws_ticket_ttl"));
	const std::string registration = config.getString("registration");
	if (registration == "open") _registration = Registration::Open;
	else if (registration == "invite") _registration = Registration::Invite;
	else _registration = Registration::Closed;
	if (_store)
	{
		const Poco::Int64 cacheTtl = config.getInt64("session_cache_ttl");
		_store->configureSessionCache(cacheTtl >= 0 ? cacheTtl : (_clustered ? 0 : DEFAULT_SESSION_CACHE_TTL),
			static_cast<std::size_t>(config.getUInt64("session_cache_size")));
	}
}

Poco::Int64 AuthPlugin::expiryFromNow() const
{
	return UserStore::timeNow() + _sessionTtl.load() * 1000000;
}

void AuthPlugin::registerUser(Request& request, Response& response)
{
	_service->checkOrigin(request);
	const Registration mode = _registration.load();
	if (mode == Registration::Closed) throw HttpError(403, "registration_closed", "this server does not take new users");
	const int wait = _addressLimits->registration(request);
	if (wait > 0) throw HttpError::rateLimited(wait, "too many registrations from this address, try again later");
	const Form& form = request.form();
	std::string inviteHash;
	if (mode == Registration::Invite)
	{
		const std::string invite = form.get("invite");
		if (!SessionToken::wellFormedInvite(invite)) throw HttpError(403, "invite_invalid", "an invite code is needed to register here", "invite");
		inviteHash = SessionToken::hash(invite);
	}
	const std::string userName = UserName::checked(form.getAny({"username", "userName", "registration_form[username]"}));
	const std::string password = form.getAny({"password", "plainPassword", "registration_form[plainPassword]"});
	const std::string info = form.getAny({"info", "registration_form[info]"});

	Fields::checkPassword("password", password);
	Fields::checkInfo(info);

	const Form::File* image = Fields::image(form, _maxImageSize);

	// Cheap check first, so that a taken name costs no hashing; create()
	// checks again inside its transaction.
	if (_store->nameTaken(userName)) throw HttpError::conflict("this user name is taken", "username");

	const std::string passwordHash = _hasher->hash(password);
	User user;
	user.userName = userName;
	user.info = info;
	if (image) user.image = _avatarImages->save(image->data);

	const std::string token = SessionToken::generate();
	try
	{
		user = _store->create(user, passwordHash, SessionToken::hash(token), expiryFromNow(), AccountRoutes::userAgent(request), inviteHash);
	}
	catch (...)
	{
		if (!user.image.empty()) _avatars->remove(user.image);
		throw;
	}
	_registrations->inc();
	_logger->information("user %s registered (id %Ld)", user.userName, user.id);
	_events->publish(Events::USER_REGISTERED, user.toJson());
	answerLoggedIn(response, 201, user, token);
}

void AuthPlugin::login(Request& request, Response& response)
{
	_service->checkOrigin(request);
	const Form& form = request.form();
	const std::string userName = form.getAny({"username", "userName", "_username"});
	const std::string password = form.getAny({"password", "plainPassword", "_password"});
	if (userName.empty()) throw HttpError::validation("username", "username must not be empty");
	if (password.empty()) throw HttpError::validation("password", "password must not be empty");
	// Names and passwords that registration refuses can match nobody.
	if (!Utf8::isValid(userName) || Utf8::length(userName) > UserName::MAX_LENGTH || Utf8::length(password) > Fields::MAX_PASSWORD)
	{
		_loginFailures->inc();
		throw HttpError::unauthorized(BAD_CREDENTIALS);
	}

	const int addressWait = _addressLimits->login(request);
	if (addressWait > 0)
	{
		_loginsThrottled->inc();
		throw HttpError::rateLimited(addressWait, "too many log-ins from this address, try again later");
	}
	const int retryAfter = _throttle->attempt(userName);
	if (retryAfter > 0)
	{
		_loginsThrottled->inc();
		throw HttpError::rateLimited(retryAfter, "too many failed log-ins for this user name, try again later");
	}

	Poco::Optional<UserStore::Credentials> credentials = _store->findByName(userName);
	bool valid = false;
	// A service account has no password: nobody logs in as it (and it takes as long to refuse).
	if (credentials.isSpecified() && !credentials.value().passwordHash.empty())
		valid = _hasher->verify(credentials.value().passwordHash, password);
	else
		_hasher->verifyDummy(password);
	if (!valid)
	{
		_loginFailures->inc();
		throw HttpError::unauthorized(BAD_CREDENTIALS);
	}
	_throttle->succeeded(userName);
	if (credentials.value().disabled) throw HttpError(403, "account_disabled", "this account is disabled");

	const User& user = credentials.value().user;
	if (_hasher->needsRehash(credentials.value().passwordHash))
	{
		try
		{
			_store->updatePasswordHash(user.id, _hasher->hash(password));
		}
		catch (Poco::Exception& exception)
		{
			_logger->warning("cannot update the password hash of user %Ld: %s", user.id, exception.displayText());
		}
	}
	const std::string token = SessionToken::generate();
	_store->createSession(user.id, SessionToken::hash(token), expiryFromNow(), AccountRoutes::userAgent(request));
	_logins->inc();
	answerLoggedIn(response, 200, user, token);
}

void AuthPlugin::logout(Request& request, Response& response)
{
	User user;
	try
	{
		user = _service->authenticate(request);
	}
	catch (HttpError& error)
	{
		// A dead session's cookie is of no use to the browser: drop it too.
		if (error.status() == 401) setSessionCookie(response, "", 0);
		throw;
	}
	const std::string tokenHash = SessionToken::hash(_service->credential(request).token);
	_store->deleteSession(tokenHash);
	SessionEvents::ended(*_events, user.id, {tokenHash});
	setSessionCookie(response, "", 0);
	response.sendNoContent();
}

void AuthPlugin::me(Request& request, Response& response)
{
	const User user = _service->authenticate(request);
	response.http().set("Cache-Control", "no-store");
	response.sendJson(200, user.toJson());
}

void AuthPlugin::image(Request& request, Response& response)
{
	_service->authenticate(request);
	std::string data;
	std::string contentType;
	if (!_avatars->load(request.param("name"), data, contentType))
		throw HttpError::notFound("no such image");
	response.http().set("X-Content-Type-Options", "nosniff");
	response.http().set("Content-Security-Policy", "default-src 'none'");
	response.http().set("Cache-Control", "private, max-age=86400");
	response.send(200, contentType, data);
}

void AuthPlugin::wsTicket(Request& request, Response& response)
{
	// authenticate() applies the CSRF rule of unsafe methods to a cookie.
	_service->authenticate(request);
	Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
	body->set("ticket", _tickets->issue(_service->credential(request).token));
	response.http().set("Cache-Control", "no-store");
	response.sendJson(200, body);
}

void AuthPlugin::answerLoggedIn(Response& response, int status, const User& user, const std::string& token)
{
	setSessionCookie(response, token, _sessionTtl.load());
	response.http().set("Cache-Control", "no-store");
	Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
	body->set("user", user.toJson());
	body->set("token", token);
	response.sendJson(status, body);
}

void AuthPlugin::setSessionCookie(Response& response, const std::string& token, Poco::Int64 maxAge)
{
	response.http().add("Set-Cookie", _service->sessionCookie(token, maxAge, _secureCookie));
}

} } // namespace Palaver::Auth

PALAVER_PLUGIN(Palaver::Auth::AuthPlugin)
