//
// PluginAbi.h
//
// The record of what a plugin was built against, which PALAVER_PLUGIN exports.
//

#ifndef Palaver_PluginAbi_INCLUDED
#define Palaver_PluginAbi_INCLUDED

#include "palaver/Version.h"
#include <Poco/Version.h>
#include <cstddef>

extern "C" {

/// What a plugin was built against, written by PALAVER_PLUGIN as a plain C
/// record into an ELF section of its own, PALAVER_PLUGIN_ABI_SECTION.
/// palaverd reads it from the shared object's file before loading it, so that
/// a plugin built for another plugin API, another POCO release or another C++
/// library ABI is refused with one line and without running any of its code
/// (not even its static constructors). A section, not an exported symbol:
/// plugins are loaded RTLD_GLOBAL, where one symbol name exported by every
/// plugin would interpose. Fixed-size fields and no pointers: the record must
/// be readable from the file as it is, without relocations.
struct PalaverPluginAbi
{
	char magic[16];         /// PALAVER_PLUGIN_MAGIC
	unsigned apiMajor;      /// PALAVER_API_MAJOR of the headers
	unsigned apiMinor;      /// PALAVER_API_MINOR of the headers
	unsigned pocoVersion;   /// POCO_VERSION of the headers, e.g. 0x010B0000 for 1.11.0
	char cxxLibrary[32];    /// PALAVER_CXX_LIBRARY: the C++ library and its ABI
	char compiler[32];      /// PALAVER_COMPILER, for messages only
};

}

#define PALAVER_PLUGIN_MAGIC "palaver-plugin"
#define PALAVER_PLUGIN_ABI_SECTION ".palaver_plugin_abi"

#define PALAVER_ABI_QUOTE(x) #x
#define PALAVER_ABI_STRING(x) PALAVER_ABI_QUOTE(x)

// The C++ library's ABI: the types that cross the boundary (std::string,
// std::function, Poco's classes) must have one layout on both sides.
#if defined(_LIBCPP_VERSION)
#define PALAVER_CXX_LIBRARY "libc++ abi " PALAVER_ABI_STRING(_LIBCPP_ABI_VERSION)
#elif defined(_GLIBCXX_USE_CXX11_ABI) && _GLIBCXX_USE_CXX11_ABI
#define PALAVER_CXX_LIBRARY "libstdc++ cxx11"
#else
#define PALAVER_CXX_LIBRARY "libstdc++ gcc4"
#endif

#if defined(__clang__)
#define PALAVER_COMPILER "clang " PALAVER_ABI_STRING(__clang_major__) "." PALAVER_ABI_STRING(__clang_minor__)
#elif defined(__GNUC__)
#define PALAVER_COMPILER "gcc " PALAVER_ABI_STRING(__GNUC__) "." PALAVER_ABI_STRING(__GNUC_MINOR__)
#else
#define PALAVER_COMPILER "unknown"
#endif

/// The record of the headers and the compiler in use.
#define PALAVER_PLUGIN_ABI_INITIALIZER \
	{PALAVER_PLUGIN_MAGIC, PALAVER_API_MAJOR, PALAVER_API_MINOR, POCO_VERSION, PALAVER_CXX_LIBRARY, PALAVER_COMPILER}

/// Writes the record into its section. PALAVER_PLUGIN does it; a plugin never
/// writes it itself.
#define PALAVER_PLUGIN_ABI_RECORD \
	__attribute__((section(PALAVER_PLUGIN_ABI_SECTION), used)) \
	static const PalaverPluginAbi palaverPluginAbiRecord = PALAVER_PLUGIN_ABI_INITIALIZER;

#endif
