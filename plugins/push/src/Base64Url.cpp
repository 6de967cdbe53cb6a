#include "Base64Url.h"
#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/Exception.h>
#include <sstream>

namespace Palaver {
namespace Push {

std::string Base64Url::encode(const std::string& bytes)
{
	std::ostringstream out;
	Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
	encoder.rdbuf()->setLineLength(0);
	encoder << bytes;
	encoder.close();
	return out.str();
}

std::string Base64Url::decode(const std::string& text)
{
	std::string padded = text;
	while (!padded.empty() && padded.back() == '=') padded.pop_back();
	if (padded.size() % 4 == 1 || padded.find_first_not_of(
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != std::string::npos)
		throw Poco::DataFormatException("not base64url");
	padded.append((4 - padded.size() % 4) % 4, '=');
	std::istringstream in(padded);
	Poco::Base64Decoder decoder(in, Poco::BASE64_URL_ENCODING);
	return std::string(std::istreambuf_iterator<char>(decoder), std::istreambuf_iterator<char>());
}

} } // namespace Palaver::Push
