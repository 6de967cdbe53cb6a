#include "palaver/Form.h"
#include "palaver/HttpError.h"
#include "palaver/Utf8.h"
#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/MediaType.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/PartHandler.h>
#include <Poco/StreamCopier.h>
#include <sstream>

namespace Palaver {

namespace {

const int MAX_FIELDS = 100;

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

// Flattens a JSON object the way HTML forms name nested fields: a[b][c].
void flatten(Form& form, const std::string& prefix, const Poco::JSON::Object& object)
{
	for (const auto& entry: object)
	{
		const std::string name = prefix.empty() ? entry.first : prefix + "[" + entry.first + "]";
		const Poco::Dynamic::Var& value = entry.second;
		if (value.isEmpty())
			continue;
		if (value.type() == typeid(Poco::JSON::Object::Ptr))
			flatten(form, name, *value.extract<Poco::JSON::Object::Ptr>());
		else if (value.type() == typeid(Poco::JSON::Array::Ptr))
			throw HttpError::validation(name, "arrays are not accepted here");
		else
			form.set(name, value.convert<std::string>());
	}
}

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
		Poco::Dynamic::Var parsed;
		try
		{
			Poco::JSON::Parser parser;
			parsed = parser.parse(body);
		}
		catch (Poco::Exception&)
		{
			throw HttpError::badRequest("malformed JSON body");
		}
		if (parsed.type() != typeid(Poco::JSON::Object::Ptr))
			throw HttpError::badRequest("the JSON body must be an object");
		flatten(form, "", *parsed.extract<Poco::JSON::Object::Ptr>());
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

std::string Form::get(const std::string& name, const std::string& defaultValue) const
{
	auto it = _fields.find(name);
	return it == _fields.end() ? defaultValue : it->second;
}

std::string Form::getAny(std::initializer_list<std::string> names, const std::string& defaultValue) const
{
	for (const auto& name: names)
	{
		auto it = _fields.find(name);
		if (it != _fields.end()) return it->second;
	}
	return defaultValue;
}

const Form::File* Form::file(const std::string& name) const
{
	auto it = _files.find(name);
	return it == _files.end() ? nullptr : &it->second;
}

void Form::set(const std::string& name, const std::string& value)
{
	_fields[name] = value;
}

void Form::setFile(const std::string& name, File file)
{
	_files[name] = std::move(file);
}

} // namespace Palaver
