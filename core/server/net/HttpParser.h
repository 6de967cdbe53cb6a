//
// HttpParser.h
//

#ifndef Palaver_Server_HttpParser_INCLUDED
#define Palaver_Server_HttpParser_INCLUDED

#include <Poco/Net/HTTPRequest.h>
#include <cstddef>
#include <string>

namespace Palaver {
namespace Server {

/// HTTP/1.1 request framing for the event loops: finds the end of a request
/// head as its bytes arrive (bounded, resumable, so a trickled head costs no
/// rescanning), parses a complete head with Poco's HTTPRequest, and finds the
/// body's length. Limits are POCO's own (a method of 32 bytes, a target of
/// 16 KiB, field names of 256 bytes, values of 8 KiB) plus a field count and
/// a bound on the whole head. Used on one loop thread at a time.
class HttpParser
{
public:
	struct Limits
	{
		std::size_t maxHeadSize = 65536;  /// the whole head, request line included
		std::size_t maxFields = 100;
	};

	/// How far the head of the request at the start of a buffer has arrived.
	enum class Head { Incomplete, Complete, TooLarge, UriTooLong };

	/// Where a scan stopped; starts empty for each request.
	struct Scan
	{
		std::size_t lineStart = 0;  /// offset of the first line not yet seen whole
		std::size_t lines = 0;      /// non-empty lines seen (request line included)
	};

	explicit HttpParser(const Limits& limits);

	/// Looks for the empty line that ends the head in buffer, resuming where
	/// scan stopped. On Complete, headSize is the head's length with its
	/// empty line. Leading empty lines belong to the head (POCO skips them).
	Head scan(const std::string& buffer, Scan& scan, std::size_t& headSize) const;

	/// Reads a complete head. Throws HttpError 400 when it is malformed.
	static void parse(const char* data, std::size_t size, Poco::Net::HTTPRequest& request);

	/// The body's length from Content-Length (0 without one). Throws HttpError:
	/// 411 for any Transfer-Encoding (POCO's chunked reader ends silently at a
	/// malformed chunk, and other codings would be read as the next request),
	/// 400 for a malformed or repeated Content-Length, 413 beyond limit.
	static std::size_t bodyLength(const Poco::Net::HTTPRequest& request, std::size_t limit);

	/// True when the client waits for "100 Continue" before its body.
	static bool expectsContinue(const Poco::Net::HTTPRequest& request);

private:
	Limits _limits;
};

} } // namespace Palaver::Server

#endif
