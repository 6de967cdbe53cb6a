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

bool isLowerHex(const std::string& text)
{
	for (char c: text)
	{
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
	}
	return true;
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

std::string SessionToken::publicId(const std::string& tokenHash)
{
	return tokenHash.substr(0, PUBLIC_ID_LENGTH);
}

bool SessionToken::wellFormedInvite(const std::string& code)
{
	return code.size() == INVITE_LENGTH && isLowerHex(code);
}

bool SessionToken::wellFormedPublicId(const std::string& id)
{
	return id.size() == PUBLIC_ID_LENGTH && isLowerHex(id);
}

bool SessionToken::wellFormed(const std::string& token)
{
	return token.size() == BYTES * 2 && isLowerHex(token);
}

} } // namespace Palaver::Auth
