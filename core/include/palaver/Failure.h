//
// Failure.h
//

#ifndef Palaver_Failure_INCLUDED
#define Palaver_Failure_INCLUDED

#include <string>

namespace Poco { class Logger; }

namespace Palaver {

/// Catches what a piece of work throws and says it as text, for the places
/// that must outlive a failing piece of work: background loops and threads,
/// work queue tasks, event subscribers, callbacks (API 4.2). Anything thrown
/// is caught: Poco::Exception (its displayText()), std::exception (its
/// what()) and "an unknown exception".
class Failure
{
public:
	/// Calls work() on this thread; true when it returned. When it threw,
	/// false, with reason set to what current() says of it.
	template <typename Work>
	static bool caught(Work&& work, std::string& reason)
	{
		try
		{
			work();
			return true;
		}
		catch (...)
		{
			reason = current();
			return false;
		}
	}

	/// caught(), and what work threw logged on logger at error level as
	/// "<what> failed: <reason>".
	template <typename Work>
	static bool logged(Poco::Logger& logger, const std::string& what, Work&& work)
	{
		std::string reason;
		if (caught(work, reason)) return true;
		log(logger, what, reason);
		return false;
	}

	/// Only in a catch block: the exception being handled, as text.
	static std::string current();

private:
	static void log(Poco::Logger& logger, const std::string& what, const std::string& reason);
};

} // namespace Palaver

#endif
