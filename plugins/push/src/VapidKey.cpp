#include "VapidKey.h"
#include "Base64Url.h"
#include "palaver/JsonWriter.h"
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/StreamCopier.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <sstream>
#include <unistd.h>

namespace Palaver {
namespace Push {

namespace {

struct BioFree { void operator()(BIO* bio) const { BIO_free(bio); } };
using Bio = std::unique_ptr<BIO, BioFree>;

/// Writes text to a new file of mode 0600; fails if the file exists (two
/// nodes sharing a state folder must not overwrite each other's key).
void writePrivate(const std::string& path, const std::string& text)
{
	const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) throw Poco::FileException("cannot create the VAPID key file", path);
	std::size_t written = 0;
	while (written < text.size())
	{
		const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
		if (n <= 0)
		{
			::close(fd);
			::unlink(path.c_str());
			throw Poco::WriteFileException("cannot write the VAPID key file", path);
		}
		written += static_cast<std::size_t>(n);
	}
	if (::fsync(fd) != 0 || ::close(fd) != 0) throw Poco::WriteFileException("cannot write the VAPID key file", path);
}

std::string readAll(const std::string& path)
{
	Poco::FileInputStream in(path);
	std::string text;
	Poco::StreamCopier::copyToString(in, text);
	return text;
}

} // namespace

VapidKey::VapidKey(OpenSsl::Key key):
	_key(key.release(), EVP_PKEY_free),
	_publicKey(Base64Url::encode(OpenSsl::publicPoint(_key.get())))
{
}

VapidKey VapidKey::loadOrCreate(const std::string& path)
{
	if (!Poco::File(path).exists())
	{
		OpenSsl::Key key = OpenSsl::generateP256();
		Bio out(BIO_new(BIO_s_mem()));
		OpenSsl::check(out && PEM_write_bio_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1, "VAPID key encoding");
		char* data = nullptr;
		const long length = BIO_get_mem_data(out.get(), &data);
		writePrivate(path, std::string(data, static_cast<std::size_t>(length)));
	}
	const std::string pem = readAll(path);
	Bio in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
	OpenSsl::Key key(in ? PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr) : nullptr);
	OpenSsl::check(key != nullptr, "reading the VAPID key");
	if (!EVP_PKEY_is_a(key.get(), "EC") || EVP_PKEY_get_bits(key.get()) != 256)
		throw Poco::DataFormatException("the VAPID key is no P-256 key", path);
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
