//
// WebPushClient.h
//
// The browser's side of Web Push, for the tests: a subscription's keys, and
// the decryption of what a push service receives (RFC 8291 / RFC 8188),
// written from the RFCs' steps with OpenSSL's HKDF, independently of the
// plugin's own code. Also checks a VAPID Authorization header (RFC 8292).
//

#ifndef Palaver_Testing_WebPushClient_INCLUDED
#define Palaver_Testing_WebPushClient_INCLUDED

#include <Poco/JSON/Object.h>
#include <Poco/Types.h>
#include <memory>
#include <string>

typedef struct evp_pkey_st EVP_PKEY;

namespace Palaver {
namespace Testing {

class WebPushClient
{
public:
	/// A new key pair and auth secret, as a browser makes for a subscription.
	WebPushClient();
	~WebPushClient();

	/// The PushSubscription JSON for endpoint, as a browser's toJSON() writes it.
	std::string subscriptionJson(const std::string& endpoint) const;

	/// The plaintext of an aes128gcm body; throws Poco::Exception when it
	/// does not decrypt or its padding is wrong.
	std::string decrypt(const std::string& body) const;

	/// The claims of the JWT in "vapid t=..., k=..." after checking that k is
	/// publicKey (base64url), the header says ES256, and the signature (r || s)
	/// verifies with that key; throws Poco::Exception otherwise.
	static Poco::JSON::Object::Ptr verifyVapid(const std::string& authorization, const std::string& publicKey);

	/// The key pair as a PEM private key (PKCS#8): stands for a VAPID key
	/// file of an older release; publicKey() is its public key, base64url.
	std::string privateKeyPem() const;
	std::string publicKey() const;

	static std::string base64UrlDecode(const std::string& text);
	static std::string base64UrlEncode(const std::string& bytes);

private:
	std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> _key;
	std::string _publicKey;   /// uncompressed point
	std::string _authSecret;  /// 16 bytes
};

} } // namespace Palaver::Testing

#endif
