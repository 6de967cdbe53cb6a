#include "VapidKey.h"
#include "Base64Url.h"
#include "palaver/JsonWriter.h"
#include <Poco/Exception.h>
#include <openssl/bio.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/pem.h>

namespace Palaver {
namespace Push {

namespace {

struct BioFree { void operator()(BIO* bio) const { BIO_free(bio); } };
using Bio = std::unique_ptr<BIO, BioFree>;

} // namespace

VapidKey::VapidKey(OpenSsl::Key key):
	_key(key.release(), EVP_PKEY_free),
	_publicKey(Base64Url::encode(OpenSsl::publicPoint(_key.get())))
{
}

std::string VapidKey::generatePem()
{
	OpenSsl::Key key = OpenSsl::generateP256();
	Bio out(BIO_new(BIO_s_mem()));
	OpenSsl::check(out && PEM_write_bio_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1, "VAPID key encoding");
	char* data = nullptr;
	const long length = BIO_get_mem_data(out.get(), &data);
	return std::string(data, static_cast<std::size_t>(length));
}

VapidKey VapidKey::fromPem(const std::string& pem, const std::string& source)
{
	Bio in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
	OpenSsl::Key key(in ? PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr) : nullptr);
	ERR_clear_error();
	if (!key || !EVP_PKEY_is_a(key.get(), "EC") || EVP_PKEY_get_bits(key.get()) != 256)
		throw Poco::DataFormatException("no P-256 private key (VAPID)", source);
	return VapidKey(std::move(key));
}

std::string VapidKey::sign(const std::string& input) const
{
	std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
	OpenSsl::check(context && EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, _key.get()) == 1, "ES256 set-up");
	std::size_t length = 0;
	OpenSsl::check(EVP_DigestSign(context.get(), nullptr, &length,
		reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1, "ES256 signing");
	std::string der(length, '\0');
	OpenSsl::check(EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(&der[0]), &length,
		reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1, "ES256 signing");
	// OpenSSL writes the DER sequence of (r, s); JOSE wants both as 32 big-endian bytes.
	const unsigned char* cursor = reinterpret_cast<const unsigned char*>(der.data());
	std::unique_ptr<ECDSA_SIG, void (*)(ECDSA_SIG*)> signature(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(length)), ECDSA_SIG_free);
	OpenSsl::check(signature != nullptr, "ES256 signature decoding");
	unsigned char raw[64];
	OpenSsl::check(BN_bn2binpad(ECDSA_SIG_get0_r(signature.get()), raw, 32) == 32
		&& BN_bn2binpad(ECDSA_SIG_get0_s(signature.get()), raw + 32, 32) == 32, "ES256 signature encoding");
	return std::string(reinterpret_cast<const char*>(raw), sizeof(raw));
}

std::string VapidKey::authorization(const std::string& origin, Poco::Int64 expiresAt, const std::string& subject) const
{
	std::string claims = "{\"aud\":";
	JsonWriter::appendString(claims, origin);
	claims += ",\"exp\":" + std::to_string(expiresAt) + ",\"sub\":";
	JsonWriter::appendString(claims, subject);
	claims += "}";
	const std::string input = Base64Url::encode("{\"typ\":\"JWT\",\"alg\":\"ES256\"}") + "." + Base64Url::encode(claims);
	return "vapid t=" + input + "." + Base64Url::encode(sign(input)) + ", k=" + _publicKey;
}

} } // namespace Palaver::Push
