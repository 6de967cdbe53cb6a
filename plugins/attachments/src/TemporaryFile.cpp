#include "TemporaryFile.h"
#include <Poco/Exception.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace Palaver {
namespace Attachments {

TemporaryFile::TemporaryFile(std::string path):
	_path(std::move(path))
{
	_fd = ::open(_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (_fd < 0) throw Poco::CreateFileException(_path, std::strerror(errno));
}

TemporaryFile::~TemporaryFile()
{
	close();
	if (!_released) ::unlink(_path.c_str());
}

void TemporaryFile::write(const char* data, std::size_t size)
{
	while (size > 0)
	{
		const ssize_t n = ::write(_fd, data, size);
		if (n < 0)
		{
			if (errno == EINTR) continue;
			throw Poco::WriteFileException(_path, std::strerror(errno));
		}
		data += n;
		size -= static_cast<std::size_t>(n);
	}
}

void TemporaryFile::close()
{
	if (_fd >= 0) ::close(_fd);
	_fd = -1;
}

} } // namespace Palaver::Attachments
