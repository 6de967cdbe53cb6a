// palaverd tells systemd READY=1 once it serves and STOPPING=1 on SIGTERM,
// through the NOTIFY_SOCKET that systemd (here: the test) provides.
#include "HttpClient.h"
#include "TestServer.h"
#include <Poco/TemporaryFile.h>
#include <cppunit/extensions/HelperMacros.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace Palaver::Testing;

class SystemdTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(SystemdTest);
	CPPUNIT_TEST(notifiesReadyAndStopping);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_path = Poco::TemporaryFile::tempName() + ".sock";
		_socket = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		sockaddr_un address{};
		address.sun_family = AF_UNIX;
		_path.copy(address.sun_path, sizeof(address.sun_path) - 1);
		CPPUNIT_ASSERT_EQUAL(0, ::bind(_socket, reinterpret_cast<sockaddr*>(&address), sizeof(address)));
	}

	void tearDown() override
	{
		::close(_socket);
		::unlink(_path.c_str());
	}

	void notifiesReadyAndStopping()
	{
		TestServer::Options options;
		options.arguments = {"--auth.enabled=false", "--contacts.enabled=false", "--messages.enabled=false", "--ws.enabled=false", "--web.enabled=false"};
		options.environment["NOTIFY_SOCKET"] = _path;
		TestServer server(options);
		server.start();
		CPPUNIT_ASSERT(receive(5000).find("READY=1") != std::string::npos);
		CPPUNIT_ASSERT_EQUAL(200, HttpClient(server.httpPort()).get("/health").status);
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
		CPPUNIT_ASSERT(receive(5000).find("STOPPING=1") != std::string::npos);
	}

private:
	std::string receive(int timeoutMs)
	{
		pollfd ready{_socket, POLLIN, 0};
		if (::poll(&ready, 1, timeoutMs) != 1) return "";
		char buffer[512];
		const ssize_t n = ::recv(_socket, buffer, sizeof(buffer), 0);
		return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : "";
	}

	std::string _path;
	int _socket = -1;
};

CPPUNIT_TEST_SUITE_REGISTRATION(SystemdTest);
