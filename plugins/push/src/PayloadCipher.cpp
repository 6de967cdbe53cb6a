#include "PayloadCipher.h"
#include "OpenSsl.h"
#include <openssl/hmac.h>
#include <openssl/rand.h>

namespace Palaver {
namespace Push {

namespace {

std::string hmacSha256(const std::string& key, const std::string& data)
{
	unsigned char out[32];
	unsigned int length = 0;
	OpenSsl::check(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
		reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &length) != nullptr && length == 32, "HMAC-SHA-256");
	return std::string(reinterpret_cast<const char*>(out), length);
}

/// HKDF-SHA-256 (RFC 5869) of at most 32 bytes: one expansion block.
std::string hkdf(const std::string& salt, const std::string& inputKey, const std::string& info, std::size_t length)
{
	const std::string pseudoRandomKey = hmacSha256(salt, inputKey);
	return hmacSha256(pseudoRandomKey, info + '\x01').substr(0, length);
}

std::string randomBytes(std::size_t count)
{
	std::string bytes(count, '\0');
	OpenSsl::check(RAND_bytes(reinterpret_cast<unsigned char*>(&bytes[0]), static_cast<int>(count)) == 1, "random bytes");
	return bytes;
}

std::string ecdh(EVP_PKEY* own, EVP_PKEY* peer)
{
	OpenSsl::KeyContext context(EVP_PKEY_CTX_new(own, nullptr));
	OpenSsl::check(context && EVP_PKEY_derive_init(context.get()) == 1 && EVP_PKEY_derive_set_peer(context.get(), peer) == 1, "ECDH set-up");
	std::size_t length = 0;
	OpenSsl::check(EVP_PKEY_derive(context.get(), nullptr, &length) == 1, "ECDH");
	std::string secret(length, '\0');
	OpenSsl::check(EVP_PKEY_derive(context.get(), reinterpret_cast<unsigned char*>(&secret[0]), &length) == 1, "ECDH");
	secret.resize(length);
	return secret;
}

std::string aes128gcm(const std::string& key, const std::string& nonce, const std::string& plaintext)
{
	std::unique_ptr<EVP_CIPHER_CTX, void (*)(EVP_CIPHER_CTX*)> context(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
	OpenSsl::check(context && EVP_EncryptInit_ex(context.get(), EVP_aes_128_gcm(), nullptr,
		reinterpret_cast<const unsigned char*>(key.data()), reinterpret_cast<const unsigned char*>(nonce.data())) == 1, "AES-GCM set-up");
	std::string out(plaintext.size() + 16, '\0');
	unsigned char* cursor = reinterpret_cast<unsigned char*>(&out[0]);
	int length = 0;
	OpenSsl::check(EVP_EncryptUpdate(context.get(), cursor, &length,
		reinterpret_cast<const unsigned char*>(plaintext.data()), static_cast<int>(plaintext.size())) == 1, "AES-GCM");
	int final = 0;
	OpenSsl::check(EVP_EncryptFinal_ex(context.get(), cursor + length, &final) == 1, "AES-GCM");
	OpenSsl::check(EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, 16, cursor + length + final) == 1, "AES-GCM tag");
	out.resize(static_cast<std::size_t>(length + final) + 16);
	return out;
}

} // namespace

std::string PayloadCipher::encrypt(const std::string& plaintext, const std::string& userAgentKey, const std::string& authSecret)
{
	if (plaintext.size() > MAX_PLAINTEXT) throw Poco::InvalidArgumentException("push payload too long");
	if (authSecret.size() != 16) throw Poco::DataFormatException("the auth secret must be 16 bytes");
	OpenSsl::Key userAgent = OpenSsl::publicP256(userAgentKey);
	OpenSsl::Key server = OpenSsl::generateP256();
	const std::string serverKey = OpenSsl::publicPoint(server.get());

	// RFC 8291 section 3.4: the input key from the shared secret and the auth secret.
	const std::string keyInfo = std::string("WebPush: info") + '\0' + userAgentKey + serverKey;
	const std::string inputKey = hkdf(authSecret, ecdh(server.get(), userAgent.get()), keyInfo, 32);
	// RFC 8188 section 2.2 and 2.3: content key and nonce from a random salt.
	const std::string salt = randomBytes(16);
	const std::string contentKey = hkdf(salt, inputKey, std::string("Content-Encoding: aes128gcm") + '\0', 16);
	const std::string nonce = hkdf(salt, inputKey, std::string("Content-Encoding: nonce") + '\0', 12);

	std::string body = salt;
	body += static_cast<char>((RECORD_SIZE >> 24) & 0xff);
	body += static_cast<char>((RECORD_SIZE >> 16) & 0xff);
	body += static_cast<char>((RECORD_SIZE >> 8) & 0xff);
	body += static_cast<char>(RECORD_SIZE & 0xff);
	body += static_cast<char>(serverKey.size());
	body += serverKey;
	// The last (and only) record ends with the delimiter 0x02, no padding.
	body += aes128gcm(contentKey, nonce, plaintext + '\x02');
	return body;
}

} } // namespace Palaver::Push
