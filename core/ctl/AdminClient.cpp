#include "AdminClient.h"
#include "../server/Core.h"
#include <Poco/AutoPtr.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>
#include <Poco/Util/IniFileConfiguration.h>
#include <sstream>

namespace Palaver {
namespace Ctl {

namespace {

// A backup of a large database may take long; anything else is quick.
const long ANSWER_TIMEOUT_SECONDS = 3600;
const std::size_t MAX_ANSWER = 64 * 1024 * 1024;

} // namespace

AdminClient::AdminClient(std::string socketPath):
	_socketPath(std::move(socketPath))
{
}

std::string AdminClient::socketFromConfig(const std::string& configFile)
{
	Poco::AutoPtr<Poco::Util::IniFileConfiguration> config(new Poco::Util::IniFileConfiguration(configFile));
	const std::string path = Server::Core::adminSocketPath(*config);
	// palaverd expands ${application.configDir} and the like; palaverctl does not.
	if (path.find("${") != std::string::npos)
		throw Poco::InvalidArgumentException("cannot tell the admin socket from " + configFile + ": pass --socket=PATH");
	return path;
}

bool AdminClient::reachable() const
{
	try
	{
		Poco::Net::StreamSocket socket;
		socket.connect(Poco::Net::SocketAddress(Poco::Net::AddressFamily::UNIX_LOCAL, _socketPath));
		return true;
	}
	catch (Poco::Exception&)
	{
		return false;
	}
}

int AdminClient::run(const std::vector<std::string>& words, std::ostream& out, std::ostream& err)
{
	Poco::JSON::Array request;
	for (const std::string& word: words) request.add(word);
	std::ostringstream line;
	request.stringify(line);
	line << '\n';
	const std::string bytes = line.str();

	Poco::Net::StreamSocket socket;
	try
	{
		socket.connect(Poco::Net::SocketAddress(Poco::Net::AddressFamily::UNIX_LOCAL, _socketPath));
	}
	catch (Poco::Exception& exception)
	{
		throw Poco::IOException("cannot reach palaverd on " + _socketPath + " (is it running? are you its service user or root?): " + exception.displayText());
	}
	socket.setReceiveTimeout(Poco::Timespan(ANSWER_TIMEOUT_SECONDS, 0));
	std::size_t sent = 0;
	while (sent < bytes.size())
		sent += static_cast<std::size_t>(socket.sendBytes(bytes.data() + sent, static_cast<int>(bytes.size() - sent)));
	std::string answer;
	char buffer[8192];
	for (;;)
	{
		const int n = socket.receiveBytes(buffer, sizeof(buffer));
		if (n <= 0) break;
		answer.append(buffer, static_cast<std::size_t>(n));
		if (answer.size() > MAX_ANSWER) throw Poco::DataFormatException("palaverd's answer is too large");
	}
	Poco::JSON::Object::Ptr reply = Poco::JSON::Parser().parse(answer).extract<Poco::JSON::Object::Ptr>();
	const bool ok = reply->optValue<bool>("ok", false);
	(ok ? out : err) << reply->optValue<std::string>("output", "");
	return ok ? 0 : 1;
}

} } // namespace Palaver::Ctl
