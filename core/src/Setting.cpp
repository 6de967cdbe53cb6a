#include "palaver/Setting.h"
#include <Poco/NumberFormatter.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <algorithm>
#include <cmath>

namespace Palaver {

namespace {

// Integral bounds as integers ("100000", not "1e+05").
std::string formatBound(double value)
{
	if (std::fabs(value) < 1e15 && value == std::floor(value))
		return std::to_string(static_cast<Poco::Int64>(value));
	return Poco::NumberFormatter::format(value);
}

std::string range(const Setting& setting)
{
	return formatBound(setting.minimum) + ".." + formatBound(setting.maximum);
}

} // namespace

Setting Setting::integer(const std::string& key, Poco::Int64 defaultValue, Poco::Int64 minimum, Poco::Int64 maximum, const std::string& help)
{
	Setting setting;
	setting.key = key;
	setting.type = Type::Integer;
	setting.defaultValue = std::to_string(defaultValue);
	setting.minimum = static_cast<double>(minimum);
	setting.maximum = static_cast<double>(maximum);
	setting.help = help;
	return setting;
}

Setting Setting::number(const std::string& key, double defaultValue, double minimum, double maximum, const std::string& help)
{
	Setting setting;
	setting.key = key;
	setting.type = Type::Number;
	setting.defaultValue = formatBound(defaultValue);
	setting.minimum = minimum;
	setting.maximum = maximum;
	setting.help = help;
	return setting;
}

Setting Setting::boolean(const std::string& key, bool defaultValue, const std::string& help)
{
	Setting setting;
	setting.key = key;
	setting.type = Type::Boolean;
	setting.defaultValue = defaultValue ? "true" : "false";
	setting.help = help;
	return setting;
}

Setting Setting::string(const std::string& key, const std::string& defaultValue, const std::string& help)
{
	Setting setting;
	setting.key = key;
	setting.defaultValue = defaultValue;
	setting.help = help;
	return setting;
}

Setting Setting::oneOf(const std::string& key, const std::string& defaultValue, const std::vector<std::string>& choices, const std::string& help)
{
	Setting setting = string(key, defaultValue, help);
	setting.choices = choices;
	return setting;
}

std::string Setting::check(const std::string& value) const
{
	const std::string text = Poco::trim(value);
	switch (type)
	{
	case Type::Integer:
	{
		Poco::Int64 number = 0;
		if (!Poco::NumberParser::tryParse64(text, number) || number < minimum || number > maximum)
			return "must be an integer from " + formatBound(minimum) + " to " + formatBound(maximum);
		return "";
	}
	case Type::Number:
	{
		double number = 0;
		if (!Poco::NumberParser::tryParseFloat(text, number) || !std::isfinite(number) || number < minimum || number > maximum)
			return "must be a number from " + formatBound(minimum) + " to " + formatBound(maximum);
		return "";
	}
	case Type::Boolean:
	{
		bool flag = false;
		if (!Poco::NumberParser::tryParseBool(text, flag)) return "must be true or false";
		return "";
	}
	case Type::String:
		if (!choices.empty() && std::find(choices.begin(), choices.end(), text) == choices.end())
			return "must be " + describe();
		return "";
	}
	return "";
}

std::string Setting::describe() const
{
	switch (type)
	{
	case Type::Integer: return "integer " + range(*this);
	case Type::Number: return "number " + range(*this);
	case Type::Boolean: return "boolean";
	case Type::String: break;
	}
	if (choices.empty()) return "string";
	std::string list;
	for (const auto& choice: choices) list += (list.empty() ? "" : ", ") + choice;
	return "one of: " + list;
}

} // namespace Palaver
