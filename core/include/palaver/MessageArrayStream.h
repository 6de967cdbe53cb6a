//
// MessageArrayStream.h
//

#ifndef Palaver_MessageArrayStream_INCLUDED
#define Palaver_MessageArrayStream_INCLUDED

#include "palaver/Message.h"
#include "palaver/Response.h"
#include <Poco/Types.h>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace Palaver {

/// A JSON array of messages read from the store a page at a time, oldest
/// first, for Response::stream() (API 3.0): the bytes are exactly those of
/// Message::arrayJsonText() of all of them, but only one page is held at a
/// time, however long the history. The page reader is called with the id of
/// the last message written (0 at first) and must return the next at most
/// pageSize messages with larger ids, in id order (keyset paging by id: each
/// page is an index range, never an OFFSET). Used by one thread at a time.
class MessageArrayStream
{
public:
	/// Reads at most limit messages with an id above afterId, oldest first.
	using PageReader = std::function<std::vector<Message>(Poco::Int64 afterId, std::size_t limit)>;

	MessageArrayStream(PageReader read, std::size_t pageSize);

	/// Whether the array holds no message; reads the first page (on the
	/// calling thread, e.g. the route's worker, so that a 404 can still be
	/// answered before the head is sent).
	bool empty();

	/// Appends the next part to chunk ("[" and the first page, then a page
	/// at a time, and "]"); returns whether more follows.
	bool next(std::string& chunk);

	/// Answers 200 with the array, streamed (Response::stream()).
	static void send(Response& response, const std::shared_ptr<MessageArrayStream>& stream);

private:
	void readPage();

	PageReader _read;
	std::size_t _pageSize;
	std::vector<Message> _page;
	bool _pageRead = false;   /// _page holds the page not yet written
	bool _opened = false;     /// "[" written
	bool _any = false;        /// a message written (the next needs a comma)
	Poco::Int64 _after = 0;
};

} // namespace Palaver

#endif
