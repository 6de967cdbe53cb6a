//
// AvatarStore.h
//

#ifndef Palaver_Auth_AvatarStore_INCLUDED
#define Palaver_Auth_AvatarStore_INCLUDED

#include "ImageSniffer.h"
#include <cstddef>
#include <string>

namespace Palaver {
namespace Auth {

/// Uploaded avatars, one file each in one folder, under a fresh random name:
/// 32 lower-case hex digits and ".jpg" or ".png". Only names of exactly that
/// form are ever opened, so no request can name a file outside the folder
/// (nor the folder's other files).
class AvatarStore
{
public:
	/// Creates directory when missing. load() reads no file larger than maxSize.
	AvatarStore(const std::string& directory, std::size_t maxSize);

	/// Writes data (already sniffed as kind) under a new name and returns the
	/// name. The file appears complete or not at all (written aside, then renamed).
	std::string save(const std::string& data, ImageSniffer::Kind kind);

	/// Removes a stored avatar (when the registration that saved it failed).
	void remove(const std::string& name);

	/// Reads the avatar called name. False when name is not a valid avatar name
	/// or no such regular file exists.
	bool load(const std::string& name, std::string& data, std::string& contentType) const;

	/// True when name has the form save() gives.
	static bool isValidName(const std::string& name);

	const std::string& directory() const { return _directory; }

private:
	std::string _directory;
	std::size_t _maxSize;
};

} } // namespace Palaver::Auth

#endif
