#include "HttpParser.h"
#include "palaver/HttpError.h"
#include <Poco/MemoryStream.h>
#include <Poco/Net/NetException.h>
#include <Poco/String.h>

namespace Palaver {
namespace Server {

namespace {

// POCO's own limits (HTTPRequest::read, MessageHeader::read), with room for
// the separators, so that a line beyond them is refused before it is whole.
const std::size_t MAX_REQUEST_LINE = 32 + 1 + 16384 + 1 + 8 + 2;
const std::size_t MAX_FIELD_LINE = 256 + 2 + 8192 + 2;
const std::size_t MAX_CONTENT_LENGTH_DIGITS = 18;

} // namespace

HttpParser::HttpParser(const Limits& limits):
	_limits(limits)
{
}

HttpParser::Head HttpParser::scan(const std::string& buffer, Scan& scan, std::size_t& headSize) const
{
	for (;;)
	{
		const std::size_t end = buffer.find('\n', scan.lineStart);
		const std::size_t lineLimit = scan.lines == 0 ? MAX_REQUEST_LINE : MAX_FIELD_LINE;
		if (end == std::string::npos)
		{
			const std::size_t partial = buffer.size() - scan.lineStart;
			if (partial > lineLimit) return scan.lines == 0 ? Head::UriTooLong : Head::TooLarge;
			if (buffer.size() > _limits.maxHeadSize) return Head::TooLarge;
			return Head::Incomplete;
		}
		const std::size_t length = end + 1 - scan.lineStart;
		if (end + 1 > _limits.maxHeadSize) return Head::TooLarge;
		if (length > lineLimit) return scan.lines == 0 ? Head::UriTooLong : Head::TooLarge;
		const bool empty = length == 1 || (length == 2 && buffer[scan.lineStart] == '\r');
		scan.lineStart = end + 1;
		if (empty)
		{
			if (scan.lines == 0) continue;  // a leading empty line
			headSize = scan.lineStart;
			return Head::Complete;
		}
		if (++scan.lines > _limits.maxFields + 1) return Head::TooLarge;
	}
}

void HttpParser::parse(const char* data, std::size_t size, Poco::Net::HTTPRequest& request)
{
	Poco::MemoryInputStream stream(data, size);
	try
	{
		request.read(stream);
	}
	catch (Poco::Exception&)
	{
		throw HttpError::badRequest("malformed HTTP request");
	}
	// POCO reads a missing version as an empty one.
	const std::string& version = request.getVersion();
	if (version != Poco::Net::HTTPMessage::HTTP_1_1 && version != Poco::Net::HTTPMessage::HTTP_1_0)
		throw HttpError::badRequest("malformed HTTP request");
}

std::size_t HttpParser::bodyLength(const Poco::Net::HTTPRequest& request, std::size_t limit)
{
	if (request.has(Poco::Net::HTTPMessage::TRANSFER_ENCODING))
		throw HttpError(411, "length_required", "request bodies must carry a Content-Length; Transfer-Encoding is not accepted");
	std::string value;
	int count = 0;
	for (auto it = request.find(Poco::Net::HTTPMessage::CONTENT_LENGTH); it != request.end(); ++it)
	{
		if (Poco::icompare(it->first, Poco::Net::HTTPMessage::CONTENT_LENGTH) != 0) break;
		value = Poco::trim(it->second);
		++count;
	}
	if (count == 0) return 0;
	if (count > 1 || value.empty() || value.size() > MAX_CONTENT_LENGTH_DIGITS ||
		value.find_first_not_of("0123456789") != std::string::npos)
		throw HttpError::badRequest("invalid Content-Length");
	const unsigned long long length = std::stoull(value);
	if (length > limit)
		throw HttpError(413, "payload_too_large", "the request body exceeds " + std::to_string(limit) + " bytes");
	return static_cast<std::size_t>(length);
}

bool HttpParser::expectsContinue(const Poco::Net::HTTPRequest& request)
{
	return request.getVersion() == Poco::Net::HTTPMessage::HTTP_1_1 &&
		Poco::icompare(request.get("Expect", ""), "100-continue") == 0;
}

} } // namespace Palaver::Server
