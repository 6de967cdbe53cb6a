// ws-hold HTTP_PORT WS_PORT COUNT CHECK_FILE: registers COUNT/10 users (at
// least one), opens COUNT WebSocket connections to palaverd's ws port (?token),
// prints "connected COUNT", waits (at most 10 minutes) until CHECK_FILE
// exists, reading every connection each second meanwhile (pings answered),
// then tells how many of them the server closed: "dropped N", exit status 0
// only for N == 0. The packaging test holds them open across palaverctl
// plugins enable, reload and disable.
#include "HttpClient.h"
#include "WsClient.h"
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/NumberParser.h>
#include <Poco/Thread.h>
#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

using namespace Palaver::Testing;

int main(int argc, char** argv)
{
	if (argc != 5)
	{
		std::cerr << "usage: ws-hold HTTP_PORT WS_PORT COUNT CHECK_FILE\n";
		return 2;
	}
	const auto httpPort = static_cast<Poco::UInt16>(Poco::NumberParser::parse(argv[1]));
	const auto wsPort = static_cast<Poco::UInt16>(Poco::NumberParser::parse(argv[2]));
	const int count = Poco::NumberParser::parse(argv[3]);
	const std::string checkFile = argv[4];
	try
	{
		std::vector<std::string> tokens;
		for (int user = 0; user < std::max(1, count / 10); ++user)
		{
			HttpClient http(httpPort);
			HttpReply reply = http.registerUser("holder" + std::to_string(user));
			if (reply.status != 201) throw Poco::IOException("register: " + std::to_string(reply.status) + " " + reply.body);
			tokens.push_back(reply.json()->getValue<std::string>("token"));
		}
		std::vector<std::unique_ptr<WsClient>> clients;
		for (int i = 0; i < count; ++i)
			clients.push_back(std::make_unique<WsClient>(wsPort, "/?token=" + HttpClient::encode(tokens[i % tokens.size()])));
		std::cout << "connected " << clients.size() << std::endl;

		std::vector<bool> dropped(clients.size(), false);
		const auto readAll = [&clients, &dropped]
		{
			for (std::size_t i = 0; i < clients.size(); ++i)
			{
				if (dropped[i]) continue;
				try
				{
					// Frames that came meanwhile (presence) are read and
					// skipped, pings answered; a close, or a connection gone, throws.
					while (!clients[i]->silentFor(1)) {}
				}
				catch (Poco::Exception&)
				{
					dropped[i] = true;
				}
			}
		};
		for (int round = 0; !Poco::File(checkFile).exists(); ++round)
		{
			if (round > 600) throw Poco::TimeoutException("no " + checkFile + " after 10 minutes");
			readAll();
			Poco::Thread::sleep(1000);
		}
		readAll();
		const auto lost = std::count(dropped.begin(), dropped.end(), true);
		std::cout << "dropped " << lost << std::endl;
		return lost == 0 ? 0 : 1;
	}
	catch (Poco::Exception& e)
	{
		std::cerr << "ws-hold: " << e.displayText() << std::endl;
		return 1;
	}
}
