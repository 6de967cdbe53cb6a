#include "MultipartParser.h"
#include "palaver/HttpError.h"
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/String.h>
#include <cstring>

namespace Palaver {
namespace Attachments {

namespace {

constexpr std::size_t MAX_BOUNDARY = 70;  // RFC 2046

HttpError malformed(const std::string& message)
{
	return HttpError(400, "bad_request", message);
}

} // namespace

std::string MultipartParser::boundaryOf(const std::string& contentType)
{
	std::string type;
	Poco::Net::NameValueCollection parameters;
	Poco::Net::MessageHeader::splitParameters(contentType, type, parameters);
	if (Poco::icompare(type, "multipart/form-data") != 0)
		throw HttpError(415, "unsupported_media_type", "send the file as multipart/form-data");
	const std::string boundary = parameters.get("boundary", "");
	if (boundary.empty() || boundary.size() > MAX_BOUNDARY || boundary.find_first_of("\r\n") != std::string::npos)
		throw malformed("the multipart boundary is missing or malformed");
	return boundary;
}

MultipartParser::MultipartParser(const std::string& boundary, Callbacks callbacks, const Limits& limits):
	_delimiter("\r\n--" + boundary),
	_callbacks(std::move(callbacks)),
	_limits(limits),
	// The first boundary may open the body without a line break before it.
	_buffer("\r\n")
{
}

void MultipartParser::feed(const char* data, std::size_t size)
{
	if (_state == State::Epilogue) return;
	_buffer.append(data, size);
	process();
}

void MultipartParser::finish() const
{
	if (_state != State::Epilogue) throw malformed("the multipart body has no end (closing boundary missing)");
}

void MultipartParser::process()
{
	for (;;)
	{
		switch (_state)
		{
		case State::Preamble:
		{
			const std::size_t found = _buffer.find(_delimiter);
			if (found == std::string::npos)
			{
				// Keep what could be the start of a delimiter cut in two.
				if (_buffer.size() >= _delimiter.size()) _buffer.erase(0, _buffer.size() - _delimiter.size() + 1);
				return;
			}
			_buffer.erase(0, found + _delimiter.size());
			_state = State::AfterDelimiter;
			break;
		}
		case State::AfterDelimiter:
			if (!afterDelimiter()) return;
			break;
		case State::Head:
			if (!head()) return;
			break;
		case State::Data:
			if (!data()) return;
			break;
		case State::Epilogue:
			_buffer.clear();
			return;
		}
	}
}

bool MultipartParser::afterDelimiter()
{
	// Transport padding (spaces, tabs) may follow a boundary.
	const std::size_t start = _buffer.find_first_not_of(" \t");
	if (start == std::string::npos)
	{
		if (_buffer.size() > 256) throw malformed("malformed multipart boundary line");
		return false;
	}
	if (_buffer.size() - start < 2) return false;
	if (_buffer.compare(start, 2, "--") == 0)
	{
		_state = State::Epilogue;
		return true;
	}
	if (_buffer.compare(start, 2, "\r\n") != 0) throw malformed("malformed multipart boundary line");
	_buffer.erase(0, start + 2);
	if (++_parts > _limits.maxParts) throw malformed("too many multipart parts");
	_state = State::Head;
	return true;
}

bool MultipartParser::head()
{
	// A part without fields starts with its empty line at once.
	const std::size_t end = _buffer.compare(0, 2, "\r\n") == 0 ? 0 : _buffer.find("\r\n\r\n");
	if (end == std::string::npos)
	{
		if (_buffer.size() > _limits.maxHeadSize) throw malformed("a multipart part's head is too large");
		return false;
	}
	if (end > _limits.maxHeadSize) throw malformed("a multipart part's head is too large");
	startPart(_buffer.substr(0, end));
	_buffer.erase(0, end == 0 ? 2 : end + 4);
	_state = State::Data;
	return true;
}

void MultipartParser::startPart(const std::string& headText)
{
	PartHead part;
	std::size_t lineStart = 0;
	while (lineStart < headText.size())
	{
		std::size_t lineEnd = headText.find("\r\n", lineStart);
		if (lineEnd == std::string::npos) lineEnd = headText.size();
		const std::string line = headText.substr(lineStart, lineEnd - lineStart);
		lineStart = lineEnd + 2;
		const std::size_t colon = line.find(':');
		if (colon == std::string::npos || colon == 0) throw malformed("malformed multipart part head");
		const std::string name = Poco::trim(line.substr(0, colon));
		const std::string value = Poco::trim(line.substr(colon + 1));
		if (Poco::icompare(name, "Content-Disposition") == 0)
		{
			std::string disposition;
			Poco::Net::NameValueCollection parameters;
			Poco::Net::MessageHeader::splitParameters(value, disposition, parameters);
			if (Poco::icompare(disposition, "form-data") != 0) throw malformed("a multipart part is not form-data");
			part.name = parameters.get("name", "");
			part.fileName = parameters.get("filename", "");
		}
		else if (Poco::icompare(name, "Content-Type") == 0)
		{
			part.contentType = value;
		}
	}
	if (part.name.empty()) throw malformed("a multipart part has no name");
	_callbacks.onPart(part);
}

bool MultipartParser::data()
{
	const std::size_t found = _buffer.find(_delimiter);
	if (found == std::string::npos)
	{
		// Everything but what could be the start of a delimiter is data.
		if (_buffer.size() < _delimiter.size()) return false;
		const std::size_t safe = _buffer.size() - _delimiter.size() + 1;
		_callbacks.onData(_buffer.data(), safe);
		_buffer.erase(0, safe);
		return false;
	}
	if (found > 0) _callbacks.onData(_buffer.data(), found);
	_buffer.erase(0, found + _delimiter.size());
	_state = State::AfterDelimiter;
	return true;
}

} } // namespace Palaver::Attachments
