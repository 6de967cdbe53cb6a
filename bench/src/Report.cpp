//
// Report.cpp
//

#include "Report.h"
#include <algorithm>
#include <cmath>
#include <cstdio>

namespace Palaver {
namespace Bench {

std::string quote(const std::string& text)
{
	std::string out = "\"";
	for (const char c: text)
	{
		if (c == '"' || c == '\\') { out += '\\'; out += c; }
		else if (static_cast<unsigned char>(c) < 0x20)
		{
			char escaped[8];
			std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
			out += escaped;
		}
		else out += c;
	}
	return out + "\"";
}

std::string fixed(double value, int decimals)
{
	char text[64];
	std::snprintf(text, sizeof(text), "%.*f", decimals, value);
	return text;
}

void Json::key(const std::string& key)
{
	if (!_body.empty()) _body += ", ";
	_body += quote(key) + ": ";
}

Json& Json::add(const std::string& k, double value)
{
	key(k);
	char text[64];
	std::snprintf(text, sizeof(text), "%.3f", std::isfinite(value) ? value : 0.0);
	_body += text;
	return *this;
}

Json& Json::add(const std::string& k, std::int64_t value)
{
	key(k);
	_body += std::to_string(value);
	return *this;
}

Json& Json::add(const std::string& k, bool value)
{
	key(k);
	_body += value ? "true" : "false";
	return *this;
}

Json& Json::add(const std::string& k, const std::string& value)
{
	key(k);
	_body += quote(value);
	return *this;
}

Json& Json::add(const std::string& k, const Json& value)
{
	key(k);
	_body += value.str();
	return *this;
}

Json& Json::add(const std::string& k, const std::vector<Json>& values)
{
	key(k);
	_body += "[";
	for (std::size_t i = 0; i < values.size(); ++i) _body += (i ? ", " : "") + values[i].str();
	_body += "]";
	return *this;
}

double Samples::percentileMs(double p)
{
	if (_values.empty()) return 0;
	if (!_sorted) std::sort(_values.begin(), _values.end());
	_sorted = true;
	// Nearest rank.
	std::size_t rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(_values.size())));
	if (rank < 1) rank = 1;
	if (rank > _values.size()) rank = _values.size();
	return static_cast<double>(_values[rank - 1]) / 1000.0;
}

double Samples::maxMs()
{
	return percentileMs(100);
}

Json Samples::json()
{
	Json j;
	j.add("count", _values.size()).add("p50", percentileMs(50)).add("p99", percentileMs(99))
		.add("p999", percentileMs(99.9)).add("max", maxMs());
	return j;
}

} } // namespace Palaver::Bench
