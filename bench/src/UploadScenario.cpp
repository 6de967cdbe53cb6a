//
// UploadScenario.cpp
//
// Issue 17's upload figures. uploads: every HTTP connection posts --photo
// (a JPEG of about 1 MiB that palaver-bench-photo makes) to /attachments as
// one of two users, closed loop, for --duration s: photos/s (each decoded,
// stripped and thumbnailed by palaverd's image pool), latency, server CPU
// per photo. uploads-chat: the chat-ws load at a fixed --rate, first alone,
// then while those uploads run beside it: both phases' delivery p50/p99 (the
// issue: "chat-ws unchanged while uploads run").
//

#include "Scenarios.h"
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace Palaver {
namespace Bench {

namespace {

const char* const BOUNDARY = "palaver-bench-photo-7MA4YWxkTrZu0gW";

std::string readPhoto(const std::string& path)
{
	if (path.empty()) throw std::runtime_error("--photo=FILE (a JPEG, e.g. from palaver-bench-photo) is needed");
	std::ifstream in(path, std::ios::binary);
	std::ostringstream bytes;
	bytes << in.rdbuf();
	if (!in || bytes.str().size() < 4) throw std::runtime_error("cannot read the photo " + path);
	return bytes.str();
}

std::string uploadRequest(const std::string& token, const std::string& photo)
{
	const std::string body = "--" + std::string(BOUNDARY) + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"photo.jpg\"\r\n"
		"Content-Type: image/jpeg\r\n\r\n" + photo + "\r\n--" + BOUNDARY + "--\r\n";
	return HttpConn::build("POST", "/attachments", token, "multipart/form-data; boundary=" + std::string(BOUNDARY), body);
}

} // namespace

void Bench::startUploads(UploadLoop& loop, const std::vector<User>& uploaders)
{
	const std::string photo = readPhoto(_options.photo);
	loop.requests.clear();
	for (const User& user: uploaders) loop.requests.push_back(uploadRequest(user.token, photo));
	loop.running = true;
	loop.ask = [&loop](HttpConn& conn, const std::string& request)
	{
		const std::int64_t t0 = nowUs();
		conn.request(request, [&loop, &conn, &request, t0](const HttpResponse& r)
		{
			if (!loop.running) return;
			loop.latency.add(nowUs() - t0);
			if (r.status == 201 && r.body.find("\"thumbnail\":true") != std::string::npos) ++loop.photos;
			else
			{
				++loop.errors;
				++loop.errorKinds[r.status ? "HTTP " + std::to_string(r.status) + " " + r.body.substr(0, 200) : "connection lost"];
			}
			loop.ask(conn, request);
		});
	};
	std::size_t i = 0;
	for (Node& node: _nodes)
		for (auto& conn: node.pool) loop.ask(*conn, loop.requests[i++ % loop.requests.size()]);
}

void Bench::stopUploads(UploadLoop& loop)
{
	loop.running = false;
	const std::int64_t deadline = nowUs() + 30000000;
	auto busy = [this]
	{
		for (const Node& node: _nodes)
			for (const auto& conn: node.pool)
				if (conn->outstanding() > 0) return true;
		return false;
	};
	while (busy() && nowUs() < deadline) _loop.poll(10);
}

bool Bench::runUploads(Json& result, std::string& summary)
{
	const std::vector<User> uploaders = registerUsers(2, "up");
	openHttp(_options.httpConnections);
	UploadLoop loop;
	const double serverCpu0 = serverCpuSeconds();
	const std::int64_t start = nowUs();
	startUploads(loop, uploaders);
	pollFor(_options.duration);
	const double seconds = static_cast<double>(nowUs() - start) / 1e6;
	const double serverCpu = serverCpuSeconds() - serverCpu0;
	stopUploads(loop);
	const double photoBytes = static_cast<double>(readPhoto(_options.photo).size());
	Json errors;
	for (const auto& e: loop.errorKinds) errors.add(e.first, e.second);
	const double perSecond = static_cast<double>(loop.photos) / seconds;
	const double cpuPerPhoto = loop.photos > 0 ? 1000 * serverCpu / static_cast<double>(loop.photos) : 0;
	result.add("http_connections", httpConnectionCount()).add("photo_bytes", photoBytes).add("seconds", seconds)
		.add("photos", loop.photos).add("errors", loop.errors).add("error_kinds", errors)
		.add("photos_per_second", perSecond).add("mib_per_second", perSecond * photoBytes / 1048576)
		.add("latency_ms", loop.latency.json())
		.add("server_cpu_percent", 100 * serverCpu / seconds).add("server_cpu_ms_per_photo", cpuPerPhoto)
		.add("server_after", serverJson());
	summary = "uploads: " + std::to_string(loop.photos) + " photos of " + fixed(photoBytes / 1048576, 2) + " MiB in " + fixed(seconds, 1)
		+ " s over " + std::to_string(httpConnectionCount()) + " connections: " + fixed(perSecond, 1) + " photos/s, latency p50 "
		+ fixed(loop.latency.percentileMs(50), 0) + " p99 " + fixed(loop.latency.percentileMs(99), 0) + " ms; server CPU "
		+ fixed(100 * serverCpu / seconds, 0) + "% (" + fixed(cpuPerPhoto, 1) + " ms/photo)"
		+ (loop.errors ? "; " + std::to_string(loop.errors) + " ERRORS" : "");
	closeAll();
	return loop.errors == 0 && loop.photos > 0;
}

bool Bench::runUploadsChat(Json& result, std::string& summary)
{
	const std::size_t u = std::max<std::size_t>(2, _options.users);
	_users = registerUsers(u, "uc");
	const std::vector<User> uploaders = registerUsers(2, "up");
	const std::size_t ready = connect(_users, u);
	if (ready != u) throw std::runtime_error("only " + std::to_string(ready) + " of " + std::to_string(u) + " connections ready; last close: " + _lastClose);
	openHttp(_options.httpConnections);
	pollFor(0.5);

	bool aloneComplete = false, withComplete = false, sustained = false;
	std::string aloneLine, withLine;
	const Json alone = runPhase(true, _options.rate, aloneComplete, sustained, aloneLine);
	pollFor(1);
	UploadLoop loop;
	startUploads(loop, uploaders);
	pollFor(1);  // the image pool is busy before the chat starts
	const std::size_t photosBefore = loop.photos;
	const std::int64_t start = nowUs();
	const Json with = runPhase(true, _options.rate, withComplete, sustained, withLine);
	const double seconds = static_cast<double>(nowUs() - start) / 1e6;
	const std::size_t photos = loop.photos - photosBefore;
	stopUploads(loop);
	const std::string uploadsLine = "uploads meanwhile: " + fixed(static_cast<double>(photos) / seconds, 1) + " photos/s over "
		+ std::to_string(httpConnectionCount()) + " connections, p50 " + fixed(loop.latency.percentileMs(50), 0) + " ms"
		+ (loop.errors ? "; " + std::to_string(loop.errors) + " ERRORS" : "");
	result.add("users", u).add("chat_alone", alone).add("chat_with_uploads", with)
		.add("uploads", Json().add("photos", photos).add("seconds", seconds).add("photos_per_second", static_cast<double>(photos) / seconds)
			.add("errors", loop.errors).add("latency_ms", loop.latency.json()));
	summary = "alone:        " + aloneLine + "\nwith uploads: " + withLine + "\n" + uploadsLine;
	closeAll();
	return aloneComplete && withComplete && loop.errors == 0 && photos > 0;
}

} } // namespace Palaver::Bench
