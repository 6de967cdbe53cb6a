//
// FileAnswer.h
//

#ifndef Palaver_Attachments_FileAnswer_INCLUDED
#define Palaver_Attachments_FileAnswer_INCLUDED

#include <Poco/Types.h>
#include <string>

namespace Palaver {

class Response;

namespace Attachments {

/// Sends a stored file as the answer, streamed a part at a time (never read
/// whole), the whole file (200) or the single byte range of a Range header
/// (206; 416 when it lies outside the file; several ranges get the whole
/// file, as RFC 9110 allows).
class FileAnswer
{
public:
	/// A range of bytes [first, last] of a file of size bytes.
	struct Range
	{
		Poco::UInt64 first = 0;
		Poco::UInt64 last = 0;
		bool partial = false;  /// from a Range header
	};

	/// The range that header ("" if none) asks of a file of size bytes.
	/// Throws HttpError 416 when it cannot be satisfied.
	static Range parseRange(const std::string& header, Poco::UInt64 size);

	/// Streams path's bytes (size of them) as contentType into response,
	/// with Accept-Ranges and, for a partial answer, Content-Range.
	static void send(Response& response, const std::string& path, Poco::UInt64 size, const std::string& contentType,
		const std::string& rangeHeader);
};

} } // namespace Palaver::Attachments

#endif
