// Fuzzes GET /search's q (plugins/messages/src/SearchQuery.cpp), which
// becomes an FTS5 expression. SearchQuery may only throw HttpError 400; a
// query it accepts has 1 to MAX_WORDS non-empty UTF-8 words, none holding a
// character that FTS5's syntax gives a meaning, so each quoted word stays a
// plain string.
#include "SearchQuery.h"
#include "palaver/HttpError.h"
#include "palaver/Utf8.h"
#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	const std::string q(reinterpret_cast<const char*>(data), size);
	try
	{
		const Palaver::Messages::SearchQuery query(q);
		const auto& words = query.words();
		if (words.empty() || words.size() > Palaver::Messages::SearchQuery::MAX_WORDS) std::abort();
		std::size_t quotes = 0;
		for (const std::string& word: words)
		{
			if (word.empty() || !Palaver::Utf8::isValid(word)) std::abort();
			if (word.find_first_of("\"*-():^ {}+") != std::string::npos) std::abort();
		}
		for (char c: query.ftsExpression())
		{
			if (c == '"') ++quotes;
		}
		if (quotes != 2 * words.size()) std::abort();
		if (query.plainText().size() > q.size()) std::abort();
	}
	catch (const Palaver::HttpError& e)
	{
		if (e.status() != 400) std::abort();
	}
	return 0;
}
