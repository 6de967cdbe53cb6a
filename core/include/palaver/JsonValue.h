//
// JsonValue.h
//

#ifndef Palaver_JsonValue_INCLUDED
#define Palaver_JsonValue_INCLUDED

#include <Poco/Types.h>
#include <cstddef>
#include <string>
#include <vector>

namespace Palaver {

/// One JSON value as JsonParser reads it from a client: null, a boolean, an
/// integer (fits Poco::Int64), a number with a fraction or exponent (a
/// double), a string (valid UTF-8), an array, or an object whose members keep
/// the order of the text (keys are unique: the parser refuses duplicates).
///
/// Reading a value as another type throws Poco::BadCastException; handlers
/// that answer clients check the type first and name the field in a 400
/// (HttpError::validation), e.g. with typeName().
class JsonValue
{
public:
	enum class Type { Null, Boolean, Integer, Double, String, Array, Object };

	struct Member;

	/// null.
	JsonValue() = default;
	explicit JsonValue(bool value);
	explicit JsonValue(Poco::Int64 value);
	explicit JsonValue(double value);
	explicit JsonValue(std::string value);

	/// An empty array or object, with room for capacity elements or members.
	static JsonValue array(std::size_t capacity = 0);
	static JsonValue object(std::size_t capacity = 0);

	Type type() const { return _type; }
	bool isNull() const { return _type == Type::Null; }
	bool isBoolean() const { return _type == Type::Boolean; }
	bool isInteger() const { return _type == Type::Integer; }
	bool isDouble() const { return _type == Type::Double; }
	bool isString() const { return _type == Type::String; }
	bool isArray() const { return _type == Type::Array; }
	bool isObject() const { return _type == Type::Object; }

	bool boolean() const;
	Poco::Int64 integer() const;
	double number() const;                           /// a Double, or an Integer converted
	const std::string& string() const;
	const std::vector<JsonValue>& elements() const;  /// of an array
	const std::vector<Member>& members() const;      /// of an object, in the text's order

	/// The object's member named key, or nullptr (also when this is not an object).
	const JsonValue* find(const std::string& key) const;

	/// Appends to an array; returns the new element.
	JsonValue& append(JsonValue value);

	/// Appends a member to an object (the caller keeps keys unique); returns its value.
	JsonValue& add(std::string key, JsonValue value);

	/// "null", "a boolean", "an integer", "a number", "a string", "an array",
	/// "an object": for error messages.
	static const char* typeName(Type type);

private:
	void expect(Type type) const;

	Type _type = Type::Null;
	union Scalar
	{
		bool boolean;
		Poco::Int64 integer;
		double number;
	} _scalar = {false};  /// by _type (a value per parsed item: kept small)
	std::string _string;
	std::vector<JsonValue> _elements;
	std::vector<Member> _members;
};

struct JsonValue::Member
{
	std::string key;
	JsonValue value;
};

} // namespace Palaver

#endif
