#include "SessionToken.h"
#include <sodium.h>
#include <vector>

namespace Palaver {
namespace Auth {

namespace {

std::string toHex(const unsigned char* bytes, std::size_t size)
{
	std::vector<char> hex(size * 2 + 1);
	sodium_bin2hex(hex.data(), hex.size(), bytes, size);
	return std::string(hex.data(), size * 2);
}

} // namespace

std::string SessionToken::randomHex(std::size_t bytes)
{
	std::vector<unsigned char> random(bytes);
	randombytes_buf(random.data(), random.size());
	std::string hex = toHex(random.data(), random.size());
	sodium_memzero(random.data(), random.size());
	return hex;
}

std::string SessionToken::generate()
{
	return randomHex(BYTES);
}

std::string SessionToken::hash(const std::string& token)
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
	return toHex(digest, sizeof(digest));
}

bool SessionToken::wellFormed(const std::string& token)
{
	if (token.size() != BYTES * 2) return false;
	for (char c: token)
	{
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
	}
	return true;
}

} } // namespace Palaver::Auth
