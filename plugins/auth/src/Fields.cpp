#include "Fields.h"
#include "palaver/HttpError.h"
#include "palaver/Utf8.h"

namespace Palaver {
namespace Auth {

bool Fields::hasControl(const std::string& text)
{
	for (unsigned char c: text)
	{
		if (c == '\t' || c == '\n' || c == '\r') continue;
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

const Form::File* Fields::image(const Form& form, std::size_t maxSize)
{
	const Form::File* file = form.file("image");
	if (!file) file = form.file("registration_form[image]");
	// An HTML form with no file chosen still sends an empty part.
	if (!file || file->data.empty()) return nullptr;
	if (file->data.size() > maxSize)
		throw HttpError(413, "payload_too_large", "image must be at most " + std::to_string(maxSize / 1024) + " KiB", "image");
	if (ImageSniffer::sniff(file->data) == ImageSniffer::Kind::None) throw HttpError::validation("image", "image must be a JPEG or PNG picture");
	return file;
}

void Fields::checkInfo(const std::string& value)
{
	checkText("info", value, 0, MAX_INFO);
	if (hasControl(value)) throw HttpError::validation("info", "info must not contain control characters");
}

} } // namespace Palaver::Auth
