//
// PluginAbiReader.h
//

#ifndef Palaver_Server_PluginAbiReader_INCLUDED
#define Palaver_Server_PluginAbiReader_INCLUDED

#include "palaver/PluginAbi.h"
#include <string>

namespace Palaver {
namespace Server {

/// Reads a plugin's ABI record (palaver/PluginAbi.h) from its shared object's
/// file with libelf, without loading it: none of the plugin's code runs.
class PluginAbiReader
{
public:
	enum class Outcome
	{
		Found,      /// record filled in
		NotElf,     /// not an ELF file of this machine's class and byte order
		NoRecord    /// an ELF file without exactly one record in its section
	};

	/// Finds the section PALAVER_PLUGIN_ABI_SECTION in the file at path and
	/// copies the record it holds. Throws Poco::FileException when the file
	/// cannot be opened.
	static Outcome read(const std::string& path, PalaverPluginAbi& record);

	/// The C++ library's ABI and the POCO release palaverd itself was built
	/// with and runs, in the form of a plugin's record.
	static PalaverPluginAbi own();

	/// "1.11.0" for POCO_VERSION 0x010B0000 (major, minor, revision; a
	/// non-zero fourth byte is added as "p<n>").
	static std::string pocoVersionText(unsigned version);
};

} } // namespace Palaver::Server

#endif
