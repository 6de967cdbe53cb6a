#include "palaver/Form.h"
#include "palaver/HttpError.h"
#include "palaver/JsonParser.h"
#include "palaver/Utf8.h"
#include <Poco/Exception.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/MediaType.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/PartHandler.h>
#include <Poco/NumberParser.h>
#include <Poco/StreamCopier.h>
#include <limits>
#include <sstream>

namespace Palaver {

namespace {

const int MAX_FIELDS = 100;
const std::size_t MAX_ID_DIGITS = 18;  // always fits Poco::Int64

// The route's body limit bounds the text; the other limits are the parser's.
const JsonParser& jsonParser()
{
	static const JsonParser parser([]
	{
		JsonParser::Limits limits;
		limits.maxBytes = std::numeric_limits<std::size_t>::max();
		return limits;
	}());
	return parser;
}

void checkUtf8(const std::string& name, const std::string& value)
{
	if (!Utf8::isValid(name) || !Utf8::isValid(value))
		throw HttpError::validation(Utf8::isValid(name) ? name : "", "text must be valid UTF-8");
}

// Keeps uploaded files of a multipart body.
class FilePartHandler: public Poco::Net::PartHandler
{
public:
	explicit FilePartHandler(Form& form): _form(form) {}

	void handlePart(const Poco::Net::MessageHeader& header, std::istream& stream) override
	{
		std::string disposition;
		Poco::Net::NameValueCollection parameters;
		Poco::Net::MessageHeader::splitParameters(header.get("Content-Disposition", ""), disposition, parameters);
		Form::File file;
		file.fileName = parameters.get("filename", "");
		file.contentType = header.get("Content-Type", "application/octet-stream");
		Poco::StreamCopier::copyToString(stream, file.data);
		const std::string name = parameters.get("name", "");
		if (!name.empty()) _form.setFile(name, std::move(file));
	}

private:
	Form& _form;
};

} // namespace

Form Form::parse(const std::string& contentType, const std::string& body)
{
	Form form;
	if (body.empty()) return form;

	Poco::Net::MediaType mediaType("application/octet-stream");
	try
	{
		if (!contentType.empty()) mediaType = Poco::Net::MediaType(contentType);
	}
	catch (Poco::Exception&)
	{
		throw HttpError(415, "unsupported_media_type", "malformed Content-Type");
	}

	if (mediaType.matches("application", "json"))
	{
		if (!Utf8::isValid(body)) throw HttpError::validation("", "text must be valid UTF-8");
		JsonValue parsed;
		try
		{
			parsed = jsonParser().parseObject(body);
		}
		catch (Poco::SyntaxException& e)
		{
			throw HttpError::badRequest("JSON body: " + e.message());
		}
		form.setJson("", parsed);
		if (form._fields.size() > MAX_FIELDS) throw HttpError::badRequest("too many fields");
		return form;
	}

	const bool urlEncoded = mediaType.matches("application", "x-www-form-urlencoded");
	const bool multipart = mediaType.matches("multipart", "form-data");
	if (!urlEncoded && !multipart)
		throw HttpError(415, "unsupported_media_type", "send application/json, application/x-www-form-urlencoded or multipart/form-data");

	Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, "/");
	request.setContentType(contentType);
	std::istringstream stream(body);
	Poco::Net::HTMLForm html;
	html.setFieldLimit(MAX_FIELDS);
	FilePartHandler files(form);
	try
	{
		html.load(request, stream, files);
	}
	catch (Poco::Exception&)
	{
		throw HttpError::badRequest("malformed form body");
	}
	for (const auto& field: html)
	{
		checkUtf8(field.first, field.second);
		form.set(field.first, field.second);
	}
	return form;
}

bool Form::has(const std::string& name) const
{
	return _fields.count(name) > 0;
}

const std::string& Form::stringField(const std::string& name, const Field& field) const
{
	if (field.type != JsonValue::Type::String)
		throw HttpError::validation(name, name + " must be a string, not " + JsonValue::typeName(field.type));
	return field.text;
}

std::string Form::get(const std::string& name, const std::string& defaultValue) const
{
	auto it = _fields.find(name);
	return it == _fields.end() ? defaultValue : stringField(name, it->second);
}

std::string Form::getAny(std::initializer_list<std::string> names, const std::string& defaultValue) const
{
	for (const auto& name: names)
	{
		auto it = _fields.find(name);
		if (it != _fields.end()) return stringField(name, it->second);
	}
	return defaultValue;
}

Poco::Int64 Form::getInteger(const std::string& name, Poco::Int64 defaultValue) const
{
	auto it = _fields.find(name);
	if (it == _fields.end()) return defaultValue;
	const Field& field = it->second;
	const bool digits = field.type == JsonValue::Type::String && !field.text.empty() && field.text.size() <= MAX_ID_DIGITS
		&& field.text.find_first_not_of("0123456789") == std::string::npos;
	if (field.type != JsonValue::Type::Integer && !digits)
		throw HttpError::validation(name, name + " must be an integer");
	return Poco::NumberParser::parse64(field.text);
}

JsonValue::Type Form::type(const std::string& name) const
{
	auto it = _fields.find(name);
	return it == _fields.end() ? JsonValue::Type::Null : it->second.type;
}

const Form::File* Form::file(const std::string& name) const
{
	auto it = _files.find(name);
	return it == _files.end() ? nullptr : &it->second;
}

void Form::set(const std::string& name, const std::string& value)
{
	_fields[name] = Field{value, JsonValue::Type::String};
}

void Form::setFile(const std::string& name, File file)
{
	_files[name] = std::move(file);
}

void Form::setJson(const std::string& prefix, const JsonValue& object)
{
	// Flattened the way HTML forms name nested fields: a[b][c].
	for (const JsonValue::Member& member: object.members())
	{
		const std::string name = prefix.empty() ? member.key : prefix + "[" + member.key + "]";
		const JsonValue& value = member.value;
		switch (value.type())
		{
		case JsonValue::Type::Null:
			break;
		case JsonValue::Type::Object:
			// Kept as a field too, so that reading it as a string names it.
			_fields[name] = Field{"", JsonValue::Type::Object};
			setJson(name, value);
			break;
		case JsonValue::Type::Array:
			throw HttpError::validation(name, "arrays are not accepted here");
		case JsonValue::Type::String:
			_fields[name] = Field{value.string(), JsonValue::Type::String};
			break;
		case JsonValue::Type::Integer:
			_fields[name] = Field{std::to_string(value.integer()), JsonValue::Type::Integer};
			break;
		default:
			_fields[name] = Field{"", value.type()};
			break;
		}
	}
}

} // namespace Palaver
