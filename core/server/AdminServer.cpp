#include "AdminServer.h"
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Timespan.h>
#include <sstream>
#include <sys/stat.h>

namespace Palaver {
namespace Server {

namespace {

std::string reply(bool ok, const std::string& output)
{
	Poco::JSON::Object answer;
	answer.set("ok", ok);
	answer.set("output", output);
	std::ostringstream out;
	answer.stringify(out);
	return out.str() + "\n";
}

} // namespace

AdminServer::AdminServer(Poco::Logger& logger):
	_logger(logger)
{
}

AdminServer::~AdminServer()
{
	stop();
}

void AdminServer::add(const std::string& name, const std::string& usage, Handler handler)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_commands.count(name)) throw Poco::ExistsException("admin command", name);
	_commands[name] = Command{usage, std::move(handler)};
}

void AdminServer::remove(const std::string& name)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_commands.erase(name);
}

void AdminServer::start(const std::string& path)
{
	if (_running) return;
	Poco::File file(path);
	if (file.exists()) file.remove();
	// Created 0600 from the start: no moment in which others could connect.
	const mode_t previous = ::umask(0177);
	try
	{
		_socket.bind(Poco::Net::SocketAddress(Poco::Net::AddressFamily::UNIX_LOCAL, path));
	}
	catch (...)
	{
		::umask(previous);
		throw;
	}
	::umask(previous);
	_socket.listen(8);
	_path = path;
	_running = true;
	_thread = std::thread([this] { serve(); });
	_logger.information("admin socket on %s", path);
}

void AdminServer::stop()
{
	if (!_running.exchange(false)) return;
	if (_thread.joinable()) _thread.join();
	_socket.close();
	try
	{
		Poco::File(_path).remove();
	}
	catch (Poco::Exception&)
	{
		// Already gone.
	}
}

void AdminServer::serve()
{
	while (_running)
	{
		try
		{
			if (!_socket.poll(Poco::Timespan(0, 200000), Poco::Net::Socket::SELECT_READ)) continue;
			Poco::Net::StreamSocket client = _socket.acceptConnection();
			answer(client);
		}
		catch (Poco::Exception& exception)
		{
			_logger.warning("admin socket: %s", exception.displayText());
		}
	}
}

void AdminServer::answer(Poco::Net::StreamSocket& socket)
{
	socket.setReceiveTimeout(Poco::Timespan(0, TIMEOUT_MS * 1000));
	socket.setSendTimeout(Poco::Timespan(0, TIMEOUT_MS * 1000));
	std::string request;
	char buffer[4096];
	while (request.find('\n') == std::string::npos && request.size() <= MAX_REQUEST)
	{
		const int n = socket.receiveBytes(buffer, sizeof(buffer));
		if (n <= 0) break;
		request.append(buffer, static_cast<std::size_t>(n));
	}
	std::vector<std::string> words;
	std::string answer;
	try
	{
		if (request.size() > MAX_REQUEST) throw Poco::DataFormatException("request too large");
		Poco::JSON::Array::Ptr array = Poco::JSON::Parser().parse(request).extract<Poco::JSON::Array::Ptr>();
		for (std::size_t i = 0; i < array->size(); ++i) words.push_back(array->getElement<std::string>(static_cast<unsigned>(i)));
		answer = run(words);
	}
	catch (Poco::Exception&)
	{
		answer = reply(false, "a request is a JSON array of strings on one line");
	}
	std::size_t sent = 0;
	while (sent < answer.size())
	{
		const int n = socket.sendBytes(answer.data() + sent, static_cast<int>(answer.size() - sent));
		if (n <= 0) break;
		sent += static_cast<std::size_t>(n);
	}
}

std::string AdminServer::run(const std::vector<std::string>& words)
{
	// The longest name that the words begin with: "users disable" before "users".
	Handler handler;
	std::size_t used = 0;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		std::string name;
		for (std::size_t i = 0; i < words.size() && i < 3; ++i)
		{
			name += (i ? " " : "") + words[i];
			auto it = _commands.find(name);
			if (it != _commands.end())
			{
				handler = it->second.handler;
				used = i + 1;
			}
		}
	}
	if (!handler) return reply(words.empty() || words[0] == "help", help());
	const std::vector<std::string> arguments(words.begin() + static_cast<std::ptrdiff_t>(used), words.end());
	try
	{
		const std::string output = handler(arguments);
		_logger.information("admin: %s done", words[0] + (used > 1 ? " " + words[1] : std::string()));
		return reply(true, output);
	}
	catch (Poco::Exception& exception)
	{
		return reply(false, exception.message().empty() ? exception.displayText() : exception.message());
	}
	catch (std::exception& exception)
	{
		return reply(false, exception.what());
	}
}

std::string AdminServer::help() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	std::string text = "commands of the running palaverd:\n";
	for (const auto& command: _commands)
		text += "  palaverctl " + command.first + (command.second.usage.empty() ? "" : " " + command.second.usage) + "\n";
	return text;
}

} } // namespace Palaver::Server
