//
// VapidKey.h
//

#ifndef Palaver_Push_VapidKey_INCLUDED
#define Palaver_Push_VapidKey_INCLUDED

#include "OpenSsl.h"
#include <Poco/Types.h>
#include <string>

namespace Palaver {
namespace Push {

/// The server's VAPID key pair (RFC 8292): a P-256 key, kept as PEM in the
/// database (VapidKeyStore); it signs the JWT that tells a push service
/// which application server sends. Thread-safe after construction.
class VapidKey
{
public:
	/// A new P-256 private key as PEM (PKCS#8).
	static std::string generatePem();

	/// The key of pem. Throws Poco::DataFormatException (naming source, a
	/// file or "the database") when pem holds no P-256 private key.
	static VapidKey fromPem(const std::string& pem, const std::string& source);

	/// The public key as an uncompressed point, base64url (GET /push/key,
	/// the "k" of the Authorization header, the browser's applicationServerKey).
	const std::string& publicKey() const { return _publicKey; }

	/// The value of the Authorization header for a push to a service at
	/// origin (scheme://host[:port]): "vapid t=<ES256 JWT>, k=<public key>",
	/// the JWT's "aud" origin, "exp" expiresAt (seconds since the epoch, at
	/// most 24 h ahead, RFC 8292 section 2) and "sub" subject.
	std::string authorization(const std::string& origin, Poco::Int64 expiresAt, const std::string& subject) const;

private:
	explicit VapidKey(OpenSsl::Key key);

	/// The JOSE ES256 signature of input: r || s, 32 bytes each (not DER).
	std::string sign(const std::string& input) const;

	std::shared_ptr<EVP_PKEY> _key;
	std::string _publicKey;
};

} } // namespace Palaver::Push

#endif
