//
// SearchQuery.h
//

#ifndef Palaver_Messages_SearchQuery_INCLUDED
#define Palaver_Messages_SearchQuery_INCLUDED

#include <cstddef>
#include <string>
#include <vector>

namespace Palaver {
namespace Messages {

/// What GET /search's q becomes: plain words, each matched as the beginning
/// of a word. Never the syntax of a full-text engine: quotes, "*", "-",
/// parentheses, ":" or "^" only separate words, and NEAR, AND, OR and NOT
/// are words like any other.
class SearchQuery
{
public:
	/// Longest q, in characters (Unicode code points).
	static const std::size_t MAX_LENGTH = 200;

	/// Most words in q.
	static const std::size_t MAX_WORDS = 10;

	/// Splits q into words: runs of letters, digits (Unicode categories L and
	/// N) and private-use characters, the characters SQLite's unicode61
	/// tokenizer keeps in a token; every other character separates words.
	/// Throws HttpError 400 (validation_failed, field "q") when q is empty,
	/// not UTF-8, longer than MAX_LENGTH characters, or has no word or more
	/// than MAX_WORDS words.
	explicit SearchQuery(const std::string& q);

	const std::vector<std::string>& words() const { return _words; }

	/// The words as an FTS5 expression that every word must match as a
	/// prefix: "w1"* AND "w2"* (each a quoted string: a plain word).
	std::string ftsExpression() const;

	/// The words separated by single spaces.
	std::string plainText() const;

private:
	std::vector<std::string> _words;
};

} } // namespace Palaver::Messages

#endif
