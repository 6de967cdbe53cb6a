#include "AvatarStore.h"
#include "SessionToken.h"
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Path.h>
#include <Poco/StreamCopier.h>

namespace Palaver {
namespace Auth {

namespace {

const std::size_t NAME_HEX_DIGITS = 32;

} // namespace

AvatarStore::AvatarStore(const std::string& directory, std::size_t maxSize):
	_directory(Poco::Path(directory).makeDirectory().toString()),
	_maxSize(maxSize)
{
	Poco::File(_directory).createDirectories();
}

bool AvatarStore::isValidName(const std::string& name)
{
	if (name.size() != NAME_HEX_DIGITS + 4) return false;
	for (std::size_t i = 0; i < NAME_HEX_DIGITS; ++i)
	{
		const char c = name[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
	}
	const std::string suffix = name.substr(NAME_HEX_DIGITS);
	return suffix == ".jpg" || suffix == ".png";
}

std::string AvatarStore::save(const std::string& data, ImageSniffer::Kind kind)
{
	const std::string extension = ImageSniffer::extension(kind);
	if (extension.empty()) throw Poco::InvalidArgumentException("not an image");
	const std::string name = SessionToken::randomHex(NAME_HEX_DIGITS / 2) + "." + extension;
	const std::string path = _directory + name;
	const std::string partial = path + ".part";
	try
	{
		Poco::FileOutputStream out(partial, std::ios::out | std::ios::binary | std::ios::trunc);
		out.write(data.data(), static_cast<std::streamsize>(data.size()));
		out.close();
		if (!out.good()) throw Poco::WriteFileException("cannot write avatar");
		Poco::File(partial).renameTo(path);
	}
	catch (...)
	{
		try { Poco::File(partial).remove(); } catch (Poco::Exception&) {}
		throw;
	}
	return name;
}

void AvatarStore::remove(const std::string& name)
{
	if (!isValidName(name)) return;
	try
	{
		Poco::File(_directory + name).remove();
	}
	catch (Poco::Exception&)
	{
	}
}

bool AvatarStore::load(const std::string& name, std::string& data, std::string& contentType) const
{
	if (!isValidName(name)) return false;
	const std::string path = _directory + name;
	try
	{
		Poco::File file(path);
		if (!file.exists() || !file.isFile() || file.isLink()) return false;
		if (file.getSize() > _maxSize) return false;
		Poco::FileInputStream in(path, std::ios::in | std::ios::binary);
		data.clear();
		Poco::StreamCopier::copyToString(in, data);
	}
	catch (Poco::FileException&)
	{
		return false;
	}
	contentType = ImageSniffer::contentType(ImageSniffer::fromExtension(name.substr(NAME_HEX_DIGITS + 1)));
	return true;
}

} } // namespace Palaver::Auth
