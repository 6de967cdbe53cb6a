//
// PasswordHasher.h
//

#ifndef Palaver_Auth_PasswordHasher_INCLUDED
#define Palaver_Auth_PasswordHasher_INCLUDED

#include <Poco/Semaphore.h>
#include <atomic>
#include <cstddef>
#include <string>

namespace Palaver {
namespace Auth {

/// Slow salted password hashes: argon2id through libsodium's crypto_pwhash_str,
/// verified in constant time by crypto_pwhash_str_verify.
///
/// Each hash or verification takes memLimit bytes (64 MiB with the interactive
/// limits), so at most `concurrency` of them run at once; at most maxWaiting
/// others wait, each up to waitMilliseconds, and the rest get HttpError 503
/// "busy" at once. That bounds the memory a burst of registrations or log-ins
/// can take, and the HTTP threads it can hold.
class PasswordHasher
{
public:
	struct Limits
	{
		unsigned long long opsLimit;
		std::size_t memLimit;
	};

	/// libsodium's interactive limits: the production default and the minimum
	/// that hashes() accepts without a warning.
	static Limits interactive();

	/// The smallest limits libsodium accepts (for tests only).
	static Limits minimum();

	/// Throws Poco::InvalidArgumentException for limits outside libsodium's range
	/// and Poco::SystemException when libsodium cannot be initialised.
	PasswordHasher(Limits limits, int concurrency, long waitMilliseconds, int maxWaiting = 16);

	/// The encoded hash ("$argon2id$v=19$m=...") of password.
	std::string hash(const std::string& password);

	/// True when password matches encodedHash.
	bool verify(const std::string& encodedHash, const std::string& password);

	/// Takes as long as a verification against a real hash and always fails:
	/// used for unknown user names, so that timing does not tell them apart.
	void verifyDummy(const std::string& password);

	/// True when encodedHash was made with other limits than the current ones.
	bool needsRehash(const std::string& encodedHash) const;

	const Limits& limits() const { return _limits; }

	/// True when limits are weaker than interactive().
	static bool weakerThanInteractive(const Limits& limits);

private:
	class Slot;

	Limits _limits;
	long _waitMilliseconds;
	int _maxWaiting;
	std::atomic<int> _waiting{0};
	Poco::Semaphore _slots;
	std::string _dummyHash;
};

} } // namespace Palaver::Auth

#endif
