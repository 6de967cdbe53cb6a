//
// Form.h
//

#ifndef Palaver_Form_INCLUDED
#define Palaver_Form_INCLUDED

#include "palaver/JsonValue.h"
#include <Poco/Types.h>
#include <initializer_list>
#include <map>
#include <string>

namespace Palaver {

/// The fields of a request body, whatever its encoding: a JSON object (read
/// by JsonParser, with its limits), application/x-www-form-urlencoded or
/// multipart/form-data. Nested JSON objects are flattened the way HTML forms
/// name them: {"message": {"text": "hi"}} gives the field "message[text]"
/// (and "message", of type Object); a JSON null is an absent field; an array
/// is refused (400 naming the field).
/// Every value is valid UTF-8 (the parser rejects a body with anything else
/// with a 400).
///
/// A field keeps its JSON type: get() reads strings only, so that
/// {"username": 12345} is a 400 validation_failed naming "username", never
/// the name "12345"; getInteger() reads JSON integers and strings of digits.
class Form
{
public:
	struct File
	{
		std::string fileName;     /// as the client named it: never use it as a path
		std::string contentType;  /// as the client declared it: never trust it
		std::string data;
	};

	/// Parses body as declared by contentType. Throws HttpError: 400 for a
	/// malformed body or invalid UTF-8, 415 for an unsupported content type.
	/// An empty body gives an empty form.
	static Form parse(const std::string& contentType, const std::string& body);

	bool has(const std::string& name) const;

	/// The field's value, or defaultValue when absent. Throws HttpError 400
	/// validation_failed naming the field when it is a JSON value other than
	/// a string.
	std::string get(const std::string& name, const std::string& defaultValue = "") const;

	/// The first of names that is present (as get() reads it), or defaultValue.
	std::string getAny(std::initializer_list<std::string> names, const std::string& defaultValue = "") const;

	/// The field as an integer: a JSON integer, or a string of 1 to 18
	/// decimal digits (seed clients send ids as strings); defaultValue when
	/// absent. Anything else: HttpError 400 validation_failed naming the field.
	Poco::Int64 getInteger(const std::string& name, Poco::Int64 defaultValue = 0) const;

	/// The field's JSON type: String for a field of a form-encoded body,
	/// Null when absent.
	JsonValue::Type type(const std::string& name) const;

	/// An uploaded file, or nullptr.
	const File* file(const std::string& name) const;

	/// Sets a string field.
	void set(const std::string& name, const std::string& value);
	void setFile(const std::string& name, File file);

private:
	struct Field
	{
		std::string text;   /// a string's value; an integer's decimal form
		JsonValue::Type type = JsonValue::Type::String;
	};

	void setJson(const std::string& prefix, const JsonValue& object);
	const std::string& stringField(const std::string& name, const Field& field) const;

	std::map<std::string, Field> _fields;
	std::map<std::string, File> _files;
};

} // namespace Palaver

#endif
