//
// HttpError.h
//

#ifndef Palaver_HttpError_INCLUDED
#define Palaver_HttpError_INCLUDED

#include <Poco/Exception.h>
#include <string>
#include <utility>
#include <vector>

namespace Palaver {

/// Thrown by a route handler (or anything it calls) to answer with the JSON
/// error of PROTOCOL.md:
///   {"error": {"code": "...", "message": "...", "field": "..."}}
/// The message is shown to the client: never put internals or secrets in it.
/// Headers the answer needs (Retry-After, Allow) travel with the error.
class HttpError: public Poco::Exception
{
public:
	using Headers = std::vector<std::pair<std::string, std::string>>;

	HttpError(int status, const std::string& code, const std::string& message, const std::string& field = "");

	int status() const { return _status; }
	const std::string& code() const { return _code; }
	const std::string& field() const { return _field; }

	/// Adds a header to the answer: throw HttpError(...).withHeader("Allow", "GET").
	HttpError& withHeader(const std::string& name, const std::string& value);
	const Headers& headers() const { return _headers; }

	const char* name() const noexcept override;
	const char* className() const noexcept override;
	Poco::Exception* clone() const override;
	void rethrow() const override;

	// The common cases.
	static HttpError badRequest(const std::string& message, const std::string& field = "");
	static HttpError validation(const std::string& field, const std::string& message);
	static HttpError unauthorized(const std::string& message = "authentication required");
	static HttpError forbidden(const std::string& message = "not allowed");
	static HttpError notFound(const std::string& message = "not found");
	static HttpError conflict(const std::string& message, const std::string& field = "");
	static HttpError unavailable(const std::string& message = "storage unavailable");
	/// 429 rate_limited with Retry-After (at least 1 second).
	static HttpError rateLimited(int retryAfterSeconds, const std::string& message);

private:
	int _status;
	std::string _code;
	std::string _field;
	Headers _headers;
};

} // namespace Palaver

#endif
