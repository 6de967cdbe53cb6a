//
// PercentEncoding.h
//

#ifndef Palaver_PercentEncoding_INCLUDED
#define Palaver_PercentEncoding_INCLUDED

#include <string>
#include <utility>
#include <vector>

namespace Palaver {

/// %XX escapes of request targets, as a client's mistake: a malformed escape
/// ("%zz", a lone "%") is HttpError 400 bad_request, never an internal error.
class PercentEncoding
{
public:
	/// Decodes the escapes of text (a path or one of its segments); what names
	/// the part in the error message ("path", "query string").
	static std::string decode(const std::string& text, const std::string& what);

	/// The decoded name=value pairs of a query string, in order.
	static std::vector<std::pair<std::string, std::string>> queryParameters(const std::string& query);
};

} // namespace Palaver

#endif
