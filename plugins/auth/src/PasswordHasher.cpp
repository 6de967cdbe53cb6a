#include "PasswordHasher.h"
#include "palaver/HttpError.h"
#include <Poco/Exception.h>
#include <sodium.h>
#include <vector>

namespace Palaver {
namespace Auth {

/// Holds one of the hashing slots for its lifetime.
class PasswordHasher::Slot
{
public:
	Slot(PasswordHasher& hasher):
		_slots(hasher._slots)
	{
		if (_slots.tryWait(0)) return;
		if (++hasher._waiting > hasher._maxWaiting)
		{
			--hasher._waiting;
			throw busy();
		}
		const bool acquired = _slots.tryWait(hasher._waitMilliseconds);
		--hasher._waiting;
		if (!acquired) throw busy();
	}

	static HttpError busy()
	{
		return HttpError(503, "busy", "the server is busy, try again");
	}

	~Slot()
	{
		_slots.set();
	}

	Slot(const Slot&) = delete;
	Slot& operator = (const Slot&) = delete;

private:
	Poco::Semaphore& _slots;
};

PasswordHasher::Limits PasswordHasher::interactive()
{
	return Limits{crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

PasswordHasher::Limits PasswordHasher::minimum()
{
	return Limits{crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

bool PasswordHasher::weakerThanInteractive(const Limits& limits)
{
	return limits.opsLimit < crypto_pwhash_OPSLIMIT_INTERACTIVE || limits.memLimit < crypto_pwhash_MEMLIMIT_INTERACTIVE;
}

PasswordHasher::PasswordHasher(Limits limits, int concurrency, long waitMilliseconds, int maxWaiting):
	_limits(limits),
	_waitMilliseconds(waitMilliseconds),
	_maxWaiting(maxWaiting < 0 ? 0 : maxWaiting),
	_slots(concurrency < 1 ? 1 : concurrency, concurrency < 1 ? 1 : concurrency)
{
	if (sodium_init() < 0)
		throw Poco::SystemException("libsodium cannot be initialised");
	if (limits.opsLimit < crypto_pwhash_OPSLIMIT_MIN || limits.opsLimit > crypto_pwhash_OPSLIMIT_MAX)
		throw Poco::InvalidArgumentException("password_opslimit out of range");
	if (limits.memLimit < crypto_pwhash_MEMLIMIT_MIN || limits.memLimit > crypto_pwhash_MEMLIMIT_MAX)
		throw Poco::InvalidArgumentException("password_memlimit out of range");

	// A hash of a random password that nobody knows, made with the current
	// limits, so that verifyDummy() costs what a real verification costs.
	unsigned char secret[32];
	randombytes_buf(secret, sizeof(secret));
	char encoded[crypto_pwhash_STRBYTES];
	if (crypto_pwhash_str(encoded, reinterpret_cast<const char*>(secret), sizeof(secret), _limits.opsLimit, _limits.memLimit) != 0)
		throw Poco::OutOfMemoryException("cannot hash a password with these limits");
	sodium_memzero(secret, sizeof(secret));
	_dummyHash = encoded;
}

std::string PasswordHasher::hash(const std::string& password)
{
	Slot slot(*this);
	char encoded[crypto_pwhash_STRBYTES];
	if (crypto_pwhash_str(encoded, password.data(), password.size(), _limits.opsLimit, _limits.memLimit) != 0)
		throw Slot::busy();
	return encoded;
}

bool PasswordHasher::verify(const std::string& encodedHash, const std::string& password)
{
	if (encodedHash.empty() || encodedHash.size() >= crypto_pwhash_STRBYTES) return false;
	Slot slot(*this);
	return crypto_pwhash_str_verify(encodedHash.c_str(), password.data(), password.size()) == 0;
}

void PasswordHasher::verifyDummy(const std::string& password)
{
	verify(_dummyHash, password);
}

bool PasswordHasher::needsRehash(const std::string& encodedHash) const
{
	return crypto_pwhash_str_needs_rehash(encodedHash.c_str(), _limits.opsLimit, _limits.memLimit) != 0;
}

} } // namespace Palaver::Auth
