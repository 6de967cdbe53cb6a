#include "WebPushClient.h"
#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <Poco/String.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <sstream>

namespace Palaver {
namespace Testing {

namespace {

void require(bool ok, const char* what)
{
	if (!ok) throw Poco::DataFormatException(what);
}

const unsigned char* bytes(const std::string& text)
{
	return reinterpret_cast<const unsigned char*>(text.data());
}

/// RFC 5869 HKDF-SHA-256 through OpenSSL's KDF.
std::string hkdf(const std::string& salt, const std::string& key, const std::string& info, std::size_t length)
{
	std::unique_ptr<EVP_PKEY_CTX, void (*)(EVP_PKEY_CTX*)> context(EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr), EVP_PKEY_CTX_free);
	require(context && EVP_PKEY_derive_init(context.get()) == 1
		&& EVP_PKEY_CTX_set_hkdf_md(context.get(), EVP_sha256()) == 1
		&& EVP_PKEY_CTX_set1_hkdf_salt(context.get(), bytes(salt), static_cast<int>(salt.size())) == 1
		&& EVP_PKEY_CTX_set1_hkdf_key(context.get(), bytes(key), static_cast<int>(key.size())) == 1
		&& EVP_PKEY_CTX_add1_hkdf_info(context.get(), bytes(info), static_cast<int>(info.size())) == 1, "HKDF set-up");
	std::string out(length, '\0');
	require(EVP_PKEY_derive(context.get(), reinterpret_cast<unsigned char*>(&out[0]), &length) == 1, "HKDF");
	return out;
}

std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> importPoint(const std::string& point)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>("P-256"), 0),
		OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, const_cast<char*>(point.data()), point.size()),
		OSSL_PARAM_construct_end()
	};
	std::unique_ptr<EVP_PKEY_CTX, void (*)(EVP_PKEY_CTX*)> context(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr), EVP_PKEY_CTX_free);
	EVP_PKEY* key = nullptr;
	require(context && EVP_PKEY_fromdata_init(context.get()) == 1
		&& EVP_PKEY_fromdata(context.get(), &key, EVP_PKEY_PUBLIC_KEY, params) == 1, "P-256 point");
	return std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)>(key, EVP_PKEY_free);
}

} // namespace

WebPushClient::WebPushClient():
	_key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), EVP_PKEY_free),
	_authSecret(16, '\0')
{
	unsigned char point[65];
	std::size_t length = 0;
	require(_key && EVP_PKEY_get_octet_string_param(_key.get(), OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point), &length) == 1
		&& length == 65, "key generation");
	_publicKey.assign(reinterpret_cast<const char*>(point), length);
	require(RAND_bytes(reinterpret_cast<unsigned char*>(&_authSecret[0]), 16) == 1, "random");
}

WebPushClient::~WebPushClient() = default;

std::string WebPushClient::base64UrlEncode(const std::string& data)
{
	std::ostringstream out;
	Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
	encoder.rdbuf()->setLineLength(0);
	encoder << data;
	encoder.close();
	return out.str();
}

std::string WebPushClient::base64UrlDecode(const std::string& text)
{
	std::string padded = text + std::string((4 - text.size() % 4) % 4, '=');
	std::istringstream in(padded);
	Poco::Base64Decoder decoder(in, Poco::BASE64_URL_ENCODING);
	return std::string(std::istreambuf_iterator<char>(decoder), std::istreambuf_iterator<char>());
}

std::string WebPushClient::privateKeyPem() const
{
	std::unique_ptr<BIO, int (*)(BIO*)> out(BIO_new(BIO_s_mem()), BIO_free);
	require(out && PEM_write_bio_PrivateKey(out.get(), _key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1, "PEM encoding");
	char* data = nullptr;
	const long length = BIO_get_mem_data(out.get(), &data);
	return std::string(data, static_cast<std::size_t>(length));
}

std::string WebPushClient::publicKey() const
{
	return base64UrlEncode(_publicKey);
}

std::string WebPushClient::subscriptionJson(const std::string& endpoint) const
{
	return "{\"endpoint\":\"" + endpoint + "\",\"expirationTime\":null,\"keys\":{\"p256dh\":\""
		+ base64UrlEncode(_publicKey) + "\",\"auth\":\"" + base64UrlEncode(_authSecret) + "\"}}";
}

std::string WebPushClient::decrypt(const std::string& body) const
{
	// RFC 8188 section 2.1: salt (16) | rs (4) | idlen (1) | keyid (idlen) | records.
	require(body.size() > 21, "short body");
	const std::string salt = body.substr(0, 16);
	const unsigned idLength = static_cast<unsigned char>(body[20]);
	require(idLength == 65 && body.size() > 21 + idLength + 16, "key id");
	const std::string serverKey = body.substr(21, idLength);
	const std::string record = body.substr(21 + idLength);
	const unsigned recordSize = (static_cast<unsigned char>(body[16]) << 24) | (static_cast<unsigned char>(body[17]) << 16)
		| (static_cast<unsigned char>(body[18]) << 8) | static_cast<unsigned char>(body[19]);
	require(record.size() <= recordSize, "one record");

	// RFC 8291 section 3.3 and 3.4.
	auto server = importPoint(serverKey);
	std::unique_ptr<EVP_PKEY_CTX, void (*)(EVP_PKEY_CTX*)> derive(EVP_PKEY_CTX_new(_key.get(), nullptr), EVP_PKEY_CTX_free);
	std::size_t secretLength = 32;
	std::string shared(32, '\0');
	require(derive && EVP_PKEY_derive_init(derive.get()) == 1 && EVP_PKEY_derive_set_peer(derive.get(), server.get()) == 1
		&& EVP_PKEY_derive(derive.get(), reinterpret_cast<unsigned char*>(&shared[0]), &secretLength) == 1, "ECDH");
	const std::string keyInfo = std::string("WebPush: info") + '\0' + _publicKey + serverKey;
	const std::string ikm = hkdf(_authSecret, shared, keyInfo, 32);
	const std::string cek = hkdf(salt, ikm, std::string("Content-Encoding: aes128gcm") + '\0', 16);
	const std::string nonce = hkdf(salt, ikm, std::string("Content-Encoding: nonce") + '\0', 12);

	const std::string ciphertext = record.substr(0, record.size() - 16);
	std::string tag = record.substr(record.size() - 16);
	std::unique_ptr<EVP_CIPHER_CTX, void (*)(EVP_CIPHER_CTX*)> cipher(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
	std::string plain(ciphertext.size() + 16, '\0');
	int length = 0;
	int final = 0;
	require(cipher && EVP_DecryptInit_ex(cipher.get(), EVP_aes_128_gcm(), nullptr, bytes(cek), bytes(nonce)) == 1
		&& EVP_DecryptUpdate(cipher.get(), reinterpret_cast<unsigned char*>(&plain[0]), &length, bytes(ciphertext), static_cast<int>(ciphertext.size())) == 1
		&& EVP_CIPHER_CTX_ctrl(cipher.get(), EVP_CTRL_GCM_SET_TAG, 16, &tag[0]) == 1
		&& EVP_DecryptFinal_ex(cipher.get(), reinterpret_cast<unsigned char*>(&plain[length]), &final) == 1, "AES-GCM: authentication failed");
	plain.resize(static_cast<std::size_t>(length + final));
	// RFC 8188 section 2: padding is zeros after a delimiter, 2 in the last record.
	while (!plain.empty() && plain.back() == '\0') plain.pop_back();
	require(!plain.empty() && plain.back() == '\x02', "last-record delimiter");
	plain.pop_back();
	return plain;
}

Poco::JSON::Object::Ptr WebPushClient::verifyVapid(const std::string& authorization, const std::string& publicKey)
{
	require(authorization.compare(0, 8, "vapid t=") == 0, "vapid scheme");
	const auto comma = authorization.find(", k=");
	require(comma != std::string::npos, "vapid k");
	const std::string token = authorization.substr(8, comma - 8);
	require(authorization.substr(comma + 4) == publicKey, "k is the server's key");
	const auto first = token.find('.');
	const auto second = token.find('.', first + 1);
	require(first != std::string::npos && second != std::string::npos, "JWT form");
	Poco::JSON::Parser parser;
	auto header = parser.parse(base64UrlDecode(token.substr(0, first))).extract<Poco::JSON::Object::Ptr>();
	require(header->getValue<std::string>("alg") == "ES256", "alg ES256");
	const std::string signature = base64UrlDecode(token.substr(second + 1));
	require(signature.size() == 64, "ES256 signature is r || s, 64 bytes");

	// JOSE's r || s back into the DER that OpenSSL verifies.
	ECDSA_SIG* sig = ECDSA_SIG_new();
	ECDSA_SIG_set0(sig, BN_bin2bn(bytes(signature), 32, nullptr), BN_bin2bn(bytes(signature) + 32, 32, nullptr));
	unsigned char* der = nullptr;
	const int derLength = i2d_ECDSA_SIG(sig, &der);
	ECDSA_SIG_free(sig);
	auto key = importPoint(base64UrlDecode(publicKey));
	std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> verify(EVP_MD_CTX_new(), EVP_MD_CTX_free);
	const std::string input = token.substr(0, second);
	const bool valid = derLength > 0 && verify && EVP_DigestVerifyInit(verify.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1
		&& EVP_DigestVerify(verify.get(), der, static_cast<std::size_t>(derLength), bytes(input), input.size()) == 1;
	OPENSSL_free(der);
	require(valid, "ES256 signature verifies");
	return parser.parse(base64UrlDecode(token.substr(first + 1, second - first - 1))).extract<Poco::JSON::Object::Ptr>();
}

} } // namespace Palaver::Testing
