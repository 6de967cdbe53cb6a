//
// TemporaryFile.h
//

#ifndef Palaver_Attachments_TemporaryFile_INCLUDED
#define Palaver_Attachments_TemporaryFile_INCLUDED

#include <cstddef>
#include <string>

namespace Palaver {
namespace Attachments {

/// A file being written that is deleted with this object unless it was
/// moved away first (release()): an upload cut short leaves nothing behind.
/// Used by one thread at a time.
class TemporaryFile
{
public:
	/// Creates path (which must not exist), readable by the owner only.
	/// Throws Poco::FileException.
	explicit TemporaryFile(std::string path);
	~TemporaryFile();

	TemporaryFile(const TemporaryFile&) = delete;
	TemporaryFile& operator=(const TemporaryFile&) = delete;

	/// Appends; throws Poco::WriteFileException (e.g. a full disk).
	void write(const char* data, std::size_t size);

	/// Closes the descriptor once everything is written.
	void close();

	/// The file was moved away (renamed into place): nothing to delete.
	void release() { _released = true; }

	const std::string& path() const { return _path; }

private:
	std::string _path;
	int _fd = -1;
	bool _released = false;
};

} } // namespace Palaver::Attachments

#endif
