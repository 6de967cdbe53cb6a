#include "palaver/MessageArrayStream.h"
#include <Poco/Exception.h>

namespace Palaver {

MessageArrayStream::MessageArrayStream(PageReader read, std::size_t pageSize):
	_read(std::move(read)),
	_pageSize(pageSize)
{
	if (!_read || _pageSize == 0) throw Poco::InvalidArgumentException("a message array stream needs a reader and a page size");
}

void MessageArrayStream::readPage()
{
	_page = _read(_after, _pageSize);
	_pageRead = true;
}

bool MessageArrayStream::empty()
{
	if (!_pageRead && !_opened) readPage();
	return !_opened && _page.empty();
}

bool MessageArrayStream::next(std::string& chunk)
{
	if (!_opened)
	{
		chunk += '[';
		_opened = true;
	}
	if (!_pageRead) readPage();
	_pageRead = false;
	for (const Message& message: _page)
	{
		if (_any) chunk += ',';
		message.appendJson(chunk);
		_any = true;
	}
	// A short page is the last; a full one may be followed by an empty one.
	const bool more = _page.size() >= _pageSize;
	if (!_page.empty()) _after = _page.back().id;
	std::vector<Message>().swap(_page);
	if (!more) chunk += ']';
	return more;
}

void MessageArrayStream::send(Response& response, const std::shared_ptr<MessageArrayStream>& stream)
{
	response.stream(200, "application/json; charset=utf-8", [stream](std::string& chunk) { return stream->next(chunk); });
}

} // namespace Palaver
