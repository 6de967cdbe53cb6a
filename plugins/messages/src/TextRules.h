//
// TextRules.h
//

#ifndef Palaver_Messages_TextRules_INCLUDED
#define Palaver_Messages_TextRules_INCLUDED

#include <cstddef>
#include <string>

namespace Palaver {
namespace Messages {

/// What a message text must be: valid UTF-8, 1 to maxLength code points, and
/// not only white space.
class TextRules
{
public:
	explicit TextRules(std::size_t maxLength = 4096);

	/// Throws HttpError 400 (validation_failed, field "text") for a text that
	/// breaks a rule.
	void check(const std::string& text) const;

	std::size_t maxLength() const { return _maxLength; }

	/// True when text holds nothing but white space (ASCII, NBSP and the
	/// Unicode space separators, line and paragraph separators, ZWSP, BOM).
	static bool isBlank(const std::string& text);

private:
	std::size_t _maxLength;
};

} } // namespace Palaver::Messages

#endif
