#include "Fields.h"
#include "palaver/HttpError.h"
#include "palaver/Utf8.h"

namespace Palaver {
namespace Auth {

bool Fields::hasControl(const std::string& text, bool allowLineBreaks)
{
	for (unsigned char c: text)
	{
		if (allowLineBreaks && (c == '\t' || c == '\n' || c == '\r')) continue;
		if (c < 0x20 || c == 0x7F) return true;
	}
	return false;
}

void Fields::checkText(const std::string& field, const std::string& value, std::size_t min, std::size_t max)
{
	if (!Utf8::isValid(value)) throw HttpError::validation(field, field + " must be valid UTF-8");
	const std::size_t length = Utf8::length(value);
	if (length < min)
	{
		if (min == 1) throw HttpError::validation(field, field + " must not be empty");
		throw HttpError::validation(field, field + " must have at least " + std::to_string(min) + " characters");
	}
	if (length > max)
		throw HttpError::validation(field, field + " must have at most " + std::to_string(max) + " characters");
}

void Fields::checkPassword(const std::string& field, const std::string& value)
{
	checkText(field, value, MIN_PASSWORD, MAX_PASSWORD);
}

void Fields::checkInfo(const std::string& value)
{
	checkText("info", value, 0, MAX_INFO);
	if (hasControl(value, true)) throw HttpError::validation("info", "info must not contain control characters");
}

} } // namespace Palaver::Auth
