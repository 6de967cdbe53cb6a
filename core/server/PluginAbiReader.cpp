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

// Copies the bytes of the symbol into record, if they are in the file (not
// .bss) and have the record's size.
bool copySymbol(Elf* elf, const GElf_Sym& symbol, PalaverPluginAbi& record)
{
	if (symbol.st_size != sizeof(PalaverPluginAbi) || symbol.st_shndx == SHN_UNDEF || symbol.st_shndx >= SHN_LORESERVE)
		return false;
	Elf_Scn* section = elf_getscn(elf, symbol.st_shndx);
	GElf_Shdr sectionHeader;
	if (!section || !gelf_getshdr(section, &sectionHeader) || sectionHeader.sh_type != SHT_PROGBITS) return false;
	if (symbol.st_value < sectionHeader.sh_addr) return false;
	const GElf_Addr offset = symbol.st_value - sectionHeader.sh_addr;
	for (Elf_Data* data = elf_getdata(section, nullptr); data; data = elf_getdata(section, data))
	{
		const GElf_Addr start = static_cast<GElf_Addr>(data->d_off);
		if (!data->d_buf || offset < start || offset - start > data->d_size || data->d_size - (offset - start) < sizeof record) continue;
		std::memcpy(&record, static_cast<const char*>(data->d_buf) + (offset - start), sizeof record);
		// The strings are compared and printed: never past their fields.
		record.magic[sizeof record.magic - 1] = '\0';
		record.cxxLibrary[sizeof record.cxxLibrary - 1] = '\0';
		record.compiler[sizeof record.compiler - 1] = '\0';
		return true;
	}
	return false;
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

	for (Elf_Scn* section = elf_nextscn(file.elf, nullptr); section; section = elf_nextscn(file.elf, section))
	{
		GElf_Shdr header;
		if (!gelf_getshdr(section, &header) || header.sh_type != SHT_DYNSYM || header.sh_entsize == 0) continue;
		Elf_Data* symbols = elf_getdata(section, nullptr);
		if (!symbols) continue;
		const std::size_t count = header.sh_size / header.sh_entsize;
		for (std::size_t i = 0; i < count; ++i)
		{
			GElf_Sym symbol;
			if (!gelf_getsym(symbols, static_cast<int>(i), &symbol)) break;
			const char* name = elf_strptr(file.elf, header.sh_link, symbol.st_name);
			if (!name || std::strcmp(name, PALAVER_PLUGIN_ABI_SYMBOL) != 0) continue;
			return copySymbol(file.elf, symbol, record) ? Outcome::Found : Outcome::NoRecord;
		}
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
