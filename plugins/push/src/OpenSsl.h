//
// OpenSsl.h
//

#ifndef Palaver_Push_OpenSsl_INCLUDED
#define Palaver_Push_OpenSsl_INCLUDED

#include <Poco/Exception.h>
#include <memory>
#include <openssl/evp.h>
#include <string>

namespace Palaver {
namespace Push {

/// OpenSSL's objects owned by unique_ptr, and its failures as exceptions.
class OpenSsl
{
public:
	struct KeyFree { void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); } };
	struct KeyContextFree { void operator()(EVP_PKEY_CTX* context) const { EVP_PKEY_CTX_free(context); } };
	using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
	using KeyContext = std::unique_ptr<EVP_PKEY_CTX, KeyContextFree>;

	/// Throws Poco::IOException naming what failed and
	/// OpenSSL's first queued error (the queue is emptied) unless ok.
	static void check(bool ok, const char* what);

	/// A new P-256 key pair.
	static Key generateP256();

	/// The P-256 public key of a 65-byte uncompressed point (0x04 || x || y);
	/// Poco::DataFormatException when it is no point on the curve.
	static Key publicP256(const std::string& point);

	/// The uncompressed point (65 bytes) of key's public half.
	static std::string publicPoint(EVP_PKEY* key);
};

} } // namespace Palaver::Push

#endif
