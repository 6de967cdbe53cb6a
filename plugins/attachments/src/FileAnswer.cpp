#include "FileAnswer.h"
#include "palaver/HttpError.h"
#include "palaver/Response.h"
#include <Poco/Exception.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <algorithm>
#include <fstream>
#include <memory>

namespace Palaver {
namespace Attachments {

namespace {

constexpr std::size_t PART = 65536;

bool parseNumber(const std::string& text, Poco::UInt64& value)
{
	return !text.empty() && text.size() <= 19 && text.find_first_not_of("0123456789") == std::string::npos &&
		Poco::NumberParser::tryParseUnsigned64(text, value);
}

} // namespace

FileAnswer::Range FileAnswer::parseRange(const std::string& header, Poco::UInt64 size)
{
	Range whole;
	whole.last = size == 0 ? 0 : size - 1;
	const std::string text = Poco::trim(header);
	// Only "bytes=first-last", "bytes=first-" and "bytes=-suffix"; anything else: the whole file.
	if (text.compare(0, 6, "bytes=") != 0 || text.find(',') != std::string::npos) return whole;
	const std::string spec = Poco::trim(text.substr(6));
	const std::size_t dash = spec.find('-');
	if (dash == std::string::npos) return whole;
	const std::string firstText = spec.substr(0, dash);
	const std::string lastText = spec.substr(dash + 1);
	Range range;
	range.partial = true;
	Poco::UInt64 first = 0, last = 0;
	if (firstText.empty())
	{
		if (!parseNumber(lastText, last)) return whole;
		if (last == 0 || size == 0) throw HttpError(416, "range_not_satisfiable", "the range is outside the file").withHeader("Content-Range", "bytes */" + std::to_string(size));
		range.first = last >= size ? 0 : size - last;
		range.last = size - 1;
		return range;
	}
	if (!parseNumber(firstText, first)) return whole;
	if (!lastText.empty() && (!parseNumber(lastText, last) || last < first)) return whole;
	if (first >= size)
		throw HttpError(416, "range_not_satisfiable", "the range is outside the file").withHeader("Content-Range", "bytes */" + std::to_string(size));
	range.first = first;
	range.last = lastText.empty() || last >= size ? size - 1 : last;
	return range;
}

void FileAnswer::send(Response& response, const std::string& path, Poco::UInt64 size, const std::string& contentType,
	const std::string& rangeHeader)
{
	const Range range = parseRange(rangeHeader, size);
	auto file = std::make_shared<std::ifstream>(path, std::ios::binary);
	if (!*file) throw HttpError::notFound("no such attachment");
	response.http().set("Accept-Ranges", "bytes");
	if (range.partial)
		response.http().set("Content-Range", "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) + "/" + std::to_string(size));
	file->seekg(static_cast<std::streamoff>(range.first));
	auto left = std::make_shared<Poco::UInt64>(size == 0 ? 0 : range.last - range.first + 1);
	response.stream(range.partial ? 206 : 200, contentType, [file, left](std::string& chunk)
	{
		const std::size_t want = static_cast<std::size_t>(std::min<Poco::UInt64>(*left, PART));
		chunk.resize(want);
		file->read(&chunk[0], static_cast<std::streamsize>(want));
		const auto got = static_cast<std::size_t>(file->gcount());
		chunk.resize(got);
		*left -= got;
		if (got < want) throw Poco::ReadFileException("the file ended early");
		return *left > 0;
	});
}

} } // namespace Palaver::Attachments
