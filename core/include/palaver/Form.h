//
// Form.h
//

#ifndef Palaver_Form_INCLUDED
#define Palaver_Form_INCLUDED

#include <map>
#include <string>

namespace Palaver {

/// The fields of a request body, whatever its encoding: a JSON object,
/// application/x-www-form-urlencoded or multipart/form-data. Nested JSON
/// objects are flattened the way HTML forms name them: {"message": {"text": "hi"}}
/// gives the field "message[text]". Every value is valid UTF-8 (the parser
/// rejects a body with anything else with a 400).
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

	/// The field's value, or defaultValue when absent.
	std::string get(const std::string& name, const std::string& defaultValue = "") const;

	/// The first of names that is present, or defaultValue.
	std::string getAny(std::initializer_list<std::string> names, const std::string& defaultValue = "") const;

	/// An uploaded file, or nullptr.
	const File* file(const std::string& name) const;

	void set(const std::string& name, const std::string& value);
	void setFile(const std::string& name, File file);

private:
	std::map<std::string, std::string> _fields;
	std::map<std::string, File> _files;
};

} // namespace Palaver

#endif
