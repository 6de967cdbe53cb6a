// Fuzzes request body decoding (core/src/Form.cpp): JSON,
// application/x-www-form-urlencoded and multipart/form-data. Byte 0 picks the
// content type; the rest is the body. Form::parse may only throw HttpError
// (a 4xx); anything else escaping would be a 500 for bad input.
#include "palaver/Form.h"
#include "palaver/HttpError.h"
#include "palaver/Utf8.h"
#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	if (size < 1) return 0;
	static const char* const types[] = {
		"application/json",
		"application/json; charset=utf-8",
		"application/x-www-form-urlencoded",
		"multipart/form-data; boundary=XyZ",
		"multipart/form-data; boundary=\"a b\"",
		"multipart/form-data",
		"text/plain",
		"",
	};
	std::string contentType = types[data[0] % (sizeof(types) / sizeof(types[0]))];
	std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
	if (data[0] >= 0xF0)
	{
		// The content type itself from the input: up to the first newline.
		const auto newline = body.find('\n');
		contentType = body.substr(0, newline);
		body = newline == std::string::npos ? "" : body.substr(newline + 1);
	}
	try
	{
		const Palaver::Form form = Palaver::Form::parse(contentType, body);
		for (const char* name: {"userName", "text", "a", "message[text]"})
		{
			if (form.has(name) && !Palaver::Utf8::isValid(form.get(name))) std::abort();
		}
		form.file("avatar");
	}
	catch (const Palaver::HttpError& e)
	{
		if (e.status() < 400 || e.status() > 499) std::abort();
	}
	return 0;
}
