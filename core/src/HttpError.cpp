#include "palaver/HttpError.h"

namespace Palaver {

HttpError::HttpError(int status, const std::string& code, const std::string& message, const std::string& field):
	Poco::Exception(message, status),
	_status(status),
	_code(code),
	_field(field)
{
}

HttpError& HttpError::withHeader(const std::string& name, const std::string& value)
{
	_headers.emplace_back(name, value);
	return *this;
}

const char* HttpError::name() const noexcept
{
	return "HTTP error";
}

const char* HttpError::className() const noexcept
{
	return typeid(*this).name();
}

Poco::Exception* HttpError::clone() const
{
	return new HttpError(*this);
}

void HttpError::rethrow() const
{
	throw *this;
}

HttpError HttpError::badRequest(const std::string& message, const std::string& field)
{
	return HttpError(400, "bad_request", message, field);
}

HttpError HttpError::validation(const std::string& field, const std::string& message)
{
	return HttpError(400, "validation_failed", message, field);
}

HttpError HttpError::unauthorized(const std::string& message)
{
	return HttpError(401, "unauthorized", message);
}

HttpError HttpError::forbidden(const std::string& message)
{
	return HttpError(403, "forbidden", message);
}

HttpError HttpError::notFound(const std::string& message)
{
	return HttpError(404, "not_found", message);
}

HttpError HttpError::conflict(const std::string& message, const std::string& field)
{
	return HttpError(409, "conflict", message, field);
}

HttpError HttpError::unavailable(const std::string& message)
{
	return HttpError(503, "storage_unavailable", message);
}

HttpError HttpError::rateLimited(int retryAfterSeconds, const std::string& message)
{
	HttpError error(429, "rate_limited", message);
	error.withHeader("Retry-After", std::to_string(retryAfterSeconds < 1 ? 1 : retryAfterSeconds));
	return error;
}

} // namespace Palaver
