#include "SearchQuery.h"
#include "palaver/HttpError.h"
#include "palaver/Utf8.h"
#include <Poco/Unicode.h>
#include <Poco/UTF8Encoding.h>

namespace Palaver {
namespace Messages {

namespace {

bool isWordCharacter(int codePoint)
{
	Poco::Unicode::CharacterProperties properties;
	Poco::Unicode::properties(codePoint, properties);
	return properties.category == Poco::Unicode::UCP_LETTER || properties.category == Poco::Unicode::UCP_NUMBER ||
		properties.type == Poco::Unicode::UCP_PRIVATE_USE;
}

} // namespace

SearchQuery::SearchQuery(const std::string& q)
{
	if (q.empty())
		throw HttpError::validation("q", "q must not be empty");
	if (!Utf8::isValid(q))
		throw HttpError::validation("q", "q must be valid UTF-8");
	if (q.size() > MAX_LENGTH && Utf8::length(q) > MAX_LENGTH)
		throw HttpError::validation("q", "q must be at most " + std::to_string(MAX_LENGTH) + " characters");

	Poco::UTF8Encoding encoding;
	const auto* p = reinterpret_cast<const unsigned char*>(q.data());
	const auto* end = p + q.size();
	std::string word;
	while (p < end)
	{
		// Valid UTF-8 (checked above): every sequence is whole.
		const int length = *p < 0x80 ? 1 : encoding.sequenceLength(p, static_cast<int>(end - p));
		const int codePoint = length == 1 ? *p : encoding.queryConvert(p, length);
		if (isWordCharacter(codePoint))
		{
			word.append(reinterpret_cast<const char*>(p), static_cast<std::size_t>(length));
		}
		else if (!word.empty())
		{
			_words.push_back(std::move(word));
			word.clear();
		}
		p += length;
	}
	if (!word.empty()) _words.push_back(std::move(word));
	if (_words.empty())
		throw HttpError::validation("q", "q must contain a word");
	if (_words.size() > MAX_WORDS)
		throw HttpError::validation("q", "q must have at most " + std::to_string(MAX_WORDS) + " words");
}

std::string SearchQuery::ftsExpression() const
{
	std::string expression;
	for (const std::string& word: _words)
	{
		if (!expression.empty()) expression += " AND ";
		// Words hold no '"' (not a word character): the quotes make any word,
		// NEAR or AND included, a plain string.
		expression += '"' + word + "\"*";
	}
	return expression;
}

std::string SearchQuery::plainText() const
{
	std::string text;
	for (const std::string& word: _words)
	{
		if (!text.empty()) text += ' ';
		text += word;
	}
	return text;
}

} } // namespace Palaver::Messages
