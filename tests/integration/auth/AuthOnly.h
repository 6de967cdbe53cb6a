//
// AuthOnly.h
//
// The palaverd the auth integration suites start: the auth plugin alone, with
// the smallest argon2id limits so that hashing is quick (production keeps
// libsodium's interactive limits).
//

#ifndef Palaver_Testing_AuthOnly_INCLUDED
#define Palaver_Testing_AuthOnly_INCLUDED

#include "TestServer.h"
#include <string>
#include <vector>

namespace Palaver {
namespace Testing {

inline TestServer::Options authOnly(const std::vector<std::string>& extra = {})
{
	TestServer::Options options;
	options.arguments = {
		"--auth.enabled=true", "--contacts.enabled=false", "--messages.enabled=false",
		"--ws.enabled=false", "--web.enabled=false",
		"--auth.password_opslimit=1", "--auth.password_memlimit=8192"};
	options.arguments.insert(options.arguments.end(), extra.begin(), extra.end());
	return options;
}

} } // namespace Palaver::Testing

#endif
