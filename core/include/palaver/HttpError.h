//
// HttpError.h
//

#ifndef Palaver_HttpError_INCLUDED
#define Palaver_HttpError_INCLUDED

#include <Poco/Exception.h>
#include <string>

namespace Palaver {

/// Thrown by a route handler (or anything it calls) to answer with the JSON
/// error of PROTOCOL.md:
///   {"error": {"code": "...", "message": "...", "field": "..."}}
/// The message is shown to the client: never put internals or secrets in it.
class HttpError: public Poco::Exception
{
public:
	HttpError(int status, const std::string& code, const std::string& message, const std::string& field = "");

	int status() const { return _status; }
	const std::string& code() const { return _code; }
	const std::string& field() const { return _field; }

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

private:
	int _status;
	std::string _code;
	std::string _field;
};

} // namespace Palaver

#endif
