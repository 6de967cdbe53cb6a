//
// UserName.h
//

#ifndef Palaver_Auth_UserName_INCLUDED
#define Palaver_Auth_UserName_INCLUDED

#include <cstddef>
#include <string>

namespace Palaver {
namespace Auth {

/// User names as readers see them. A name must not hide characters from its
/// reader (controls, bidirectional overrides, zero-width and other invisible
/// characters), is stored in Unicode NFC, and two names that look the same
/// but for case or width ("Alice", "alice", "ａｌｉｃｅ") are one name: they
/// share a key (NFKC_Casefold, with ICU), which is unique in the database.
class UserName
{
public:
	static constexpr std::size_t MAX_LENGTH = 180;  /// characters

	/// The name to store for what a client sent: valid UTF-8, 1 to MAX_LENGTH
	/// characters once in NFC, no space at either end, none of the
	/// characters above. Throws HttpError 400 validation_failed naming the
	/// field "username".
	static std::string checked(const std::string& raw);

	/// The NFC form of valid UTF-8 text.
	static std::string normalized(const std::string& text);

	/// The uniqueness key of a name (NFKC_Casefold of its NFC form).
	static std::string key(const std::string& name);

	/// The first character that a name must not contain (as U+XXXX), or ""
	/// when there is none. text must be valid UTF-8.
	static std::string hiddenCharacter(const std::string& text);
};

} } // namespace Palaver::Auth

#endif
