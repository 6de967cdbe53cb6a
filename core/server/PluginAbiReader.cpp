#include "PluginAbiReader.h"
#include <Poco/Environment.h>
#include <Poco/Exception.h>
#include <cstring>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

namespace Palaver {
namespace Server {

namespace {

// Closes what read() opened, whichever way it leaves.
struct ElfFile
{
	int descriptor = -1;
	Elf* elf = nullptr;

	~ElfFile()
	{
		if (elf) elf_end(elf);
		if (descriptor >= 0) ::close(descriptor);
	}
};

bool isNativeElf(Elf* elf)
{
	if (!elf || elf_kind(elf) != ELF_K_ELF) return false;
	GElf_Ehdr header;
	if (!gelf_getehdr(elf, &header)) return false;
	const unsigned char nativeClass = sizeof(void*) == 8 ? ELFCLASS64 : ELFCLASS32;
	const unsigned char nativeOrder = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ELFDATA2LSB : ELFDATA2MSB;
	return header.e_ident[EI_CLASS] == nativeClass && header.e_ident[EI_DATA] == nativeOrder;
}

// Copies the section's one record, if the section is in the file (not
// .bss-like) and holds exactly one record.
bool copyRecord(Elf_Scn* section, const GElf_Shdr& header, PalaverPluginAbi& record)
{
	if (header.sh_type != SHT_PROGBITS || header.sh_size != sizeof record) return false;
	Elf_Data* data = elf_getdata(section, nullptr);
	if (!data || !data->d_buf || data->d_size != sizeof record) return false;
	std::memcpy(&record, data->d_buf, sizeof record);
	// The strings are compared and printed: never past their fields.
	record.magic[sizeof record.magic - 1] = '\0';
	record.cxxLibrary[sizeof record.cxxLibrary - 1] = '\0';
	record.compiler[sizeof record.compiler - 1] = '\0';
	return true;
}

} // namespace

PluginAbiReader::Outcome PluginAbiReader::read(const std::string& path, PalaverPluginAbi& record)
{
	if (elf_version(EV_CURRENT) == EV_NONE) throw Poco::LibraryLoadException("libelf is out of date");
	ElfFile file;
	file.descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
	if (file.descriptor < 0) throw Poco::FileException("cannot open", path, errno);
	file.elf = elf_begin(file.descriptor, ELF_C_READ, nullptr);
	if (!isNativeElf(file.elf)) return Outcome::NotElf;

	std::size_t namesIndex = 0;
	if (elf_getshdrstrndx(file.elf, &namesIndex) != 0) return Outcome::NotElf;
	for (Elf_Scn* section = elf_nextscn(file.elf, nullptr); section; section = elf_nextscn(file.elf, section))
	{
		GElf_Shdr header;
		if (!gelf_getshdr(section, &header)) continue;
		const char* name = elf_strptr(file.elf, namesIndex, header.sh_name);
		if (!name || std::strcmp(name, PALAVER_PLUGIN_ABI_SECTION) != 0) continue;
		return copyRecord(section, header, record) ? Outcome::Found : Outcome::NoRecord;
	}
	return Outcome::NoRecord;
}

PalaverPluginAbi PluginAbiReader::own()
{
	PalaverPluginAbi record = PALAVER_PLUGIN_ABI_INITIALIZER;
	record.pocoVersion = static_cast<unsigned>(Poco::Environment::libraryVersion());
	return record;
}

std::string PluginAbiReader::pocoVersionText(unsigned version)
{
	std::string text = std::to_string(version >> 24) + "." + std::to_string((version >> 16) & 0xFF) + "." + std::to_string((version >> 8) & 0xFF);
	if (version & 0xFF) text += "p" + std::to_string(version & 0xFF);
	return text;
}

} } // namespace Palaver::Server
