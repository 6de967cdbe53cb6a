#include "palaver/JsonValue.h"
#include <Poco/Exception.h>

namespace Palaver {

JsonValue::JsonValue(bool value): _type(Type::Boolean)
{
	_scalar.boolean = value;
}

JsonValue::JsonValue(Poco::Int64 value): _type(Type::Integer)
{
	_scalar.integer = value;
}

JsonValue::JsonValue(double value): _type(Type::Double)
{
	_scalar.number = value;
}

JsonValue::JsonValue(std::string value): _type(Type::String), _string(std::move(value))
{
}

JsonValue JsonValue::array(std::size_t capacity)
{
	JsonValue value;
	value._type = Type::Array;
	value._elements.reserve(capacity);
	return value;
}

JsonValue JsonValue::object(std::size_t capacity)
{
	JsonValue value;
	value._type = Type::Object;
	value._members.reserve(capacity);
	return value;
}

void JsonValue::expect(Type type) const
{
	if (_type != type)
		throw Poco::BadCastException(std::string("JSON value is ") + typeName(_type) + ", not " + typeName(type));
}

bool JsonValue::boolean() const
{
	expect(Type::Boolean);
	return _scalar.boolean;
}

Poco::Int64 JsonValue::integer() const
{
	expect(Type::Integer);
	return _scalar.integer;
}

double JsonValue::number() const
{
	if (_type == Type::Integer) return static_cast<double>(_scalar.integer);
	expect(Type::Double);
	return _scalar.number;
}

const std::string& JsonValue::string() const
{
	expect(Type::String);
	return _string;
}

const std::vector<JsonValue>& JsonValue::elements() const
{
	expect(Type::Array);
	return _elements;
}

const std::vector<JsonValue::Member>& JsonValue::members() const
{
	expect(Type::Object);
	return _members;
}

const JsonValue* JsonValue::find(const std::string& key) const
{
	for (const Member& member: _members)
	{
		if (member.key == key) return &member.value;
	}
	return nullptr;
}

JsonValue& JsonValue::append(JsonValue value)
{
	expect(Type::Array);
	_elements.push_back(std::move(value));
	return _elements.back();
}

JsonValue& JsonValue::add(std::string key, JsonValue value)
{
	expect(Type::Object);
	_members.push_back(Member{std::move(key), std::move(value)});
	return _members.back().value;
}

const char* JsonValue::typeName(Type type)
{
	switch (type)
	{
	case Type::Null: return "null";
	case Type::Boolean: return "a boolean";
	case Type::Integer: return "an integer";
	case Type::Double: return "a number";
	case Type::String: return "a string";
	case Type::Array: return "an array";
	case Type::Object: return "an object";
	}
	return "unknown";
}

} // namespace Palaver
