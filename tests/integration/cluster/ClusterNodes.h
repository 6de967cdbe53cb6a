//
// ClusterNodes.h
//
// Starting palaverd nodes of a cluster (PostgreSQL, a Redis bus) for the
// tests, and waiting until they are on the bus.
//

#ifndef Palaver_Testing_ClusterNodes_INCLUDED
#define Palaver_Testing_ClusterNodes_INCLUDED

#include "ClusterServices.h"
#include "HttpClient.h"
#include "TestServer.h"
#include <Poco/StringTokenizer.h>
#include <Poco/Thread.h>
#include <Poco/Timestamp.h>
#include <cppunit/extensions/HelperMacros.h>
#include <memory>
#include <string>
#include <vector>

namespace Palaver {
namespace Testing {

/// PostgreSQL and Redis started for the nodes of one test.
inline std::unique_ptr<ClusterServices> startClusterServices()
{
	auto services = std::make_unique<ClusterServices>();
	services->startPostgreSQL();
	services->startRedis();
	return services;
}

/// A node with auth, messages, ws and contacts on database (PostgreSQL) and bus;
/// extra: more "--section.key=value" arguments.
inline std::unique_ptr<TestServer> startNode(const std::string& database, const std::string& bus, const std::string& nodeId, bool wait = true,
	const std::vector<std::string>& extra = {})
{
	TestServer::Options options;
	options.arguments = {"--auth.enabled=true", "--messages.enabled=true", "--ws.enabled=true",
		"--contacts.enabled=true", "--web.enabled=false",
		"--database.connector=postgresql", "--database.connection=" + database,
		"--cluster.bus=" + bus, "--cluster.node_id=" + nodeId, "--cluster.reconnect_max=500",
		"--cluster.heartbeat=0.5",
		"--ws.rate_limit=100000", "--ws.rate_burst=100000"};
	options.arguments.insert(options.arguments.end(), extra.begin(), extra.end());
	options.waitUntilHealthy = wait;
	auto server = std::make_unique<TestServer>(options);
	server->start();
	return server;
}

/// Value of a metric without labels in GET /metrics (-1 when absent).
inline double metric(TestServer& server, const std::string& name)
{
	HttpClient http(server.httpPort());
	const HttpReply reply = http.get("/metrics");
	Poco::StringTokenizer lines(reply.body, "\n", Poco::StringTokenizer::TOK_TRIM);
	for (const auto& line: lines)
	{
		if (line.compare(0, name.size() + 1, name + " ") == 0) return std::stod(line.substr(name.size() + 1));
	}
	return -1;
}

/// Waits (bounded) until both nodes are subscribed to the Redis channel.
inline void waitSubscribed(TestServer& a, TestServer& b, int timeoutMs = 15000)
{
	const Poco::Timestamp started;
	while (started.elapsed() / 1000 < timeoutMs)
	{
		if (metric(a, "palaver_cluster_connected") == 1 && metric(b, "palaver_cluster_connected") == 1) return;
		Poco::Thread::sleep(20);
	}
	CPPUNIT_FAIL("the nodes did not subscribe to Redis:\n" + a.output() + "\n" + b.output());
}

/// Starts "node1" then "node2" on database and bus, and waits until both are on the bus.
inline void startTwoNodes(const std::string& database, const std::string& bus,
	std::unique_ptr<TestServer>& node1, std::unique_ptr<TestServer>& node2, const std::vector<std::string>& extra = {})
{
	node1 = startNode(database, bus, "node1", true, extra);
	node2 = startNode(database, bus, "node2", true, extra);
	waitSubscribed(*node1, *node2);
}

} } // namespace Palaver::Testing

#endif
