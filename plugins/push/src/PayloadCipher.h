//
// PayloadCipher.h
//

#ifndef Palaver_Push_PayloadCipher_INCLUDED
#define Palaver_Push_PayloadCipher_INCLUDED

#include <string>

namespace Palaver {
namespace Push {

/// Message encryption for Web Push (RFC 8291) in the "aes128gcm" content
/// coding (RFC 8188): ECDH on P-256 between a key pair made for this
/// message and the browser's p256dh key, HKDF-SHA-256 keyed by the
/// browser's auth secret, one AES-128-GCM record. Thread-safe (no state).
class PayloadCipher
{
public:
	/// The record size written in the header: one record holds the payload.
	static constexpr unsigned RECORD_SIZE = 4096;

	/// Bytes the header adds: salt (16), record size (4), key id length (1), key id (65).
	static constexpr std::size_t HEADER_SIZE = 86;

	/// Bytes each payload gains: the padding delimiter (1) and the GCM tag (16).
	static constexpr std::size_t OVERHEAD = 17;

	/// The longest plaintext: push services take 4096 bytes of body.
	static constexpr std::size_t MAX_PLAINTEXT = 4096 - HEADER_SIZE - OVERHEAD;

	/// The request body for plaintext (at most MAX_PLAINTEXT bytes) to the
	/// browser whose subscription has userAgentKey (p256dh, a 65-byte
	/// uncompressed point) and authSecret (16 bytes). Throws
	/// Poco::DataFormatException for a bad key or secret, Poco::IOException
	/// when OpenSSL fails.
	static std::string encrypt(const std::string& plaintext, const std::string& userAgentKey, const std::string& authSecret);
};

} } // namespace Palaver::Push

#endif
