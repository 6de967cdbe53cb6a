//
// MultipartParser.h
//

#ifndef Palaver_Attachments_MultipartParser_INCLUDED
#define Palaver_Attachments_MultipartParser_INCLUDED

#include <cstddef>
#include <functional>
#include <string>

namespace Palaver {
namespace Attachments {

/// A multipart/form-data body (RFC 7578) parsed as it arrives, a part of
/// the body at a time, never held whole: POCO's MultipartReader pulls from
/// a stream and cannot be fed. Memory is bounded by the largest piece fed
/// plus one boundary and one part's head (maxHeadSize). Each part's data
/// goes to onData in pieces as it is found. Bad input throws HttpError 400.
/// Used by one thread at a time.
class MultipartParser
{
public:
	/// One part's head: its form field name and file name (as sent, "" if none).
	struct PartHead
	{
		std::string name;
		std::string fileName;
		std::string contentType;
	};

	struct Callbacks
	{
		std::function<void(const PartHead&)> onPart;          /// a part begins
		std::function<void(const char*, std::size_t)> onData;  /// some of its data (size > 0)
	};

	struct Limits
	{
		std::size_t maxHeadSize = 8192;  /// one part's head fields
		std::size_t maxParts = 16;
	};

	/// The boundary of a Content-Type header: throws HttpError 415 for
	/// another type, 400 for a missing or malformed boundary.
	static std::string boundaryOf(const std::string& contentType);

	MultipartParser(const std::string& boundary, Callbacks callbacks, const Limits& limits);

	/// The next bytes of the body.
	void feed(const char* data, std::size_t size);

	/// The body has ended: throws HttpError 400 unless the closing boundary
	/// was seen.
	void finish() const;

private:
	enum class State { Preamble, AfterDelimiter, Head, Data, Epilogue };

	void process();
	bool afterDelimiter();
	bool head();
	bool data();
	void startPart(const std::string& headText);

	const std::string _delimiter;  /// CRLF "--" boundary
	Callbacks _callbacks;
	Limits _limits;
	State _state = State::Preamble;
	std::string _buffer;           /// bytes not yet decided on
	std::size_t _parts = 0;
};

} } // namespace Palaver::Attachments

#endif
