//
// Setting.h
//

#ifndef Palaver_Setting_INCLUDED
#define Palaver_Setting_INCLUDED

#include <Poco/Types.h>
#include <string>
#include <vector>

namespace Palaver {

/// One key of a plugin's section, as the plugin declares it in
/// PluginInfo::settings (API 4.0): its type, default, allowed values and one
/// line of help.
///
/// palaverd checks every declared key of every enabled plugin before any
/// plugin is initialised (at start-up, on SIGHUP and in
/// `palaverd --check-config`): a bad value refuses the start with one line
/// ("[messages] max_batch = 0: must be an integer from 1 to 100000"); a key
/// of the section that no declaration names is a warning (a typo?). The
/// declared defaults are the section's lowest layer, so the plugin reads
/// `context.config().getInt64("max_batch")` without a default of its own.
/// `palaverctl plugins config NAME` prints the declarations with the values
/// in force, and docs/CONFIGURATION.md's reference is generated from them.
///
///   info.settings = {
///       Setting::integer("max_batch", 512, 1, 100000, "messages committed in one transaction"),
///       Setting::boolean("search_index", true, "keep the full-text index (GET /search)"),
///       Setting::oneOf("registration", "open", {"open", "invite", "closed"}, "who may register"),
///   };
struct Setting
{
	enum class Type { String, Integer, Number, Boolean };

	std::string key;                   /// within the plugin's section, e.g. "max_batch"
	Type type = Type::String;
	std::string defaultValue;          /// as written in an .ini file; "" for a string: empty
	double minimum = 0;                /// Integer and Number: the allowed range, both ends included
	double maximum = 0;
	std::vector<std::string> choices;  /// String: the only values allowed (empty: any)
	std::string help;                  /// one line

	static Setting integer(const std::string& key, Poco::Int64 defaultValue, Poco::Int64 minimum, Poco::Int64 maximum, const std::string& help);
	static Setting number(const std::string& key, double defaultValue, double minimum, double maximum, const std::string& help);
	static Setting boolean(const std::string& key, bool defaultValue, const std::string& help);
	static Setting string(const std::string& key, const std::string& defaultValue, const std::string& help);
	static Setting oneOf(const std::string& key, const std::string& defaultValue, const std::vector<std::string>& choices, const std::string& help);

	/// "" when value is allowed, else what is allowed, e.g. "must be an
	/// integer from 1 to 100000" (booleans as Poco reads them: true/false,
	/// yes/no, on/off, 1/0).
	std::string check(const std::string& value) const;

	/// "integer 1..100000", "number 0..1000000", "boolean", "string",
	/// "one of: open, invite, closed": the allowed values in a few words.
	std::string describe() const;
};

} // namespace Palaver

#endif
