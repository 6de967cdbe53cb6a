#include "palaver/Failure.h"
#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <exception>

namespace Palaver {

std::string Failure::current()
{
	try
	{
		throw;
	}
	catch (Poco::Exception& e)
	{
		return e.displayText();
	}
	catch (std::exception& e)
	{
		return e.what();
	}
	catch (...)
	{
		return "an unknown exception";
	}
}

void Failure::log(Poco::Logger& logger, const std::string& what, const std::string& reason)
{
	logger.error("%s failed: %s", what, reason);
}

} // namespace Palaver
