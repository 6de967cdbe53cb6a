//
// SessionToken.h
//

#ifndef Palaver_Auth_SessionToken_INCLUDED
#define Palaver_Auth_SessionToken_INCLUDED

#include <string>

namespace Palaver {
namespace Auth {

/// Session tokens: 32 random bytes from the operating system (libsodium's
/// randombytes_buf), written as 64 lower-case hex digits. The server keeps
/// only their SHA-256, so a copy of the database holds no usable token.
class SessionToken
{
public:
	static constexpr std::size_t BYTES = 32;

	/// A fresh token.
	static std::string generate();

	/// The hex SHA-256 of token, as stored.
	static std::string hash(const std::string& token);

	/// True when token has the form generate() gives (64 hex digits); other
	/// strings cannot be tokens and need no lookup.
	static bool wellFormed(const std::string& token);

	/// Hex digits of a session's public id.
	static constexpr std::size_t PUBLIC_ID_LENGTH = 16;

	/// A session's public id (GET /sessions, "session.ended"): the first 16
	/// hex digits of its token's hash. It names the session, but neither it
	/// nor the stored hash it begins gives the token back.
	static std::string publicId(const std::string& tokenHash);

	/// True for a string of publicId()'s form.
	static bool wellFormedPublicId(const std::string& id);

	/// Hex digits of an invite code (made by `palaverctl invite create`,
	/// stored as its hash like a token).
	static constexpr std::size_t INVITE_LENGTH = 24;

	/// True for a string of an invite code's form.
	static bool wellFormedInvite(const std::string& code);

	/// n random bytes as 2n lower-case hex digits.
	static std::string randomHex(std::size_t bytes);
};

} } // namespace Palaver::Auth

#endif
