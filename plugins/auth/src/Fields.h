//
// Fields.h
//

#ifndef Palaver_Auth_Fields_INCLUDED
#define Palaver_Auth_Fields_INCLUDED

#include "ImageSniffer.h"
#include "palaver/Form.h"
#include <cstddef>
#include <string>

namespace Palaver {
namespace Auth {

/// The rules every route of the plugin applies to account fields (PROTOCOL.md,
/// POST /register): lengths in characters, and HttpError 400 with the field's
/// name when a value breaks them.
class Fields
{
public:
	static constexpr std::size_t MIN_PASSWORD = 6;
	static constexpr std::size_t MAX_PASSWORD = 4096;
	static constexpr std::size_t MAX_INFO = 255;

	/// Valid UTF-8 of min to max characters.
	static void checkText(const std::string& field, const std::string& value, std::size_t min, std::size_t max);

	/// A password of MIN_PASSWORD to MAX_PASSWORD characters.
	static void checkPassword(const std::string& field, const std::string& value);

	/// At most MAX_INFO characters, no control characters but line breaks and tabs.
	static void checkInfo(const std::string& value);

	/// The avatar a form uploads (field "image", or the seed's
	/// "registration_form[image]"), or nullptr when it has none (an empty part
	/// counts as none). Throws HttpError 413 past maxSize bytes, 400 unless
	/// its bytes are a JPEG or PNG picture.
	static const Form::File* image(const Form& form, std::size_t maxSize);

	/// True when text holds a C0 control character or DEL (tab, CR and LF are allowed).
	static bool hasControl(const std::string& text);
};

} } // namespace Palaver::Auth

#endif
