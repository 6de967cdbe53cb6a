#include "OpenSsl.h"
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

namespace Palaver {
namespace Push {

void OpenSsl::check(bool ok, const char* what)
{
	if (ok) return;
	char reason[256] = "unknown error";
	const unsigned long code = ERR_get_error();
	if (code) ERR_error_string_n(code, reason, sizeof(reason));
	ERR_clear_error();
	throw Poco::IOException(std::string(what) + ": " + reason);
}

OpenSsl::Key OpenSsl::generateP256()
{
	Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
	check(key != nullptr, "P-256 key generation");
	return key;
}

OpenSsl::Key OpenSsl::publicP256(const std::string& point)
{
	if (point.size() != 65 || point[0] != 0x04) throw Poco::DataFormatException("not an uncompressed P-256 point");
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>("prime256v1"), 0),
		OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, const_cast<char*>(point.data()), point.size()),
		OSSL_PARAM_construct_end()
	};
	KeyContext context(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
	check(context && EVP_PKEY_fromdata_init(context.get()) == 1, "P-256 import");
	EVP_PKEY* raw = nullptr;
	if (EVP_PKEY_fromdata(context.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1 || !raw)
	{
		ERR_clear_error();
		throw Poco::DataFormatException("not a point on P-256");
	}
	Key key(raw);
	// fromdata does not check that the point is on the curve: the public check does.
	KeyContext checker(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
	if (!checker || EVP_PKEY_public_check(checker.get()) != 1)
	{
		ERR_clear_error();
		throw Poco::DataFormatException("not a point on P-256");
	}
	return key;
}

std::string OpenSsl::publicPoint(EVP_PKEY* key)
{
	unsigned char point[65];
	std::size_t length = 0;
	check(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point), &length) == 1 && length == 65,
		"P-256 public key export");
	return std::string(reinterpret_cast<const char*>(point), length);
}

} } // namespace Palaver::Push
