#include "BodyStream.h"
#include <cstdio>

namespace Palaver {
namespace Server {

std::string BodyStream::produce(bool& more)
{
	std::string part;
	more = source(part);
	if (!chunked) return part;
	std::string bytes;
	// An empty chunk would end the body: a source that made nothing this time adds nothing.
	if (!part.empty())
	{
		char size[24];
		const int length = std::snprintf(size, sizeof(size), "%zx\r\n", part.size());
		bytes.reserve(static_cast<std::size_t>(length) + part.size() + 7);
		bytes.append(size, static_cast<std::size_t>(length)).append(part).append("\r\n");
	}
	if (!more) bytes.append("0\r\n\r\n");
	return bytes;
}

} } // namespace Palaver::Server
