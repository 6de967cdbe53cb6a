#include "AssetStore.h"
#include "ContentTypes.h"
#include "EmbeddedFile.h"
#include "SafePath.h"
#include <Poco/DigestEngine.h>
#include <Poco/Exception.h>
#include <Poco/SHA1Engine.h>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sys/stat.h>

namespace Palaver {
namespace Web {

namespace {

std::string canonical(const std::string& path)
{
	char resolved[PATH_MAX];
	if (!::realpath(path.c_str(), resolved)) return std::string();
	return resolved;
}

} // namespace

AssetStore::AssetStore()
{
	for (std::size_t i = 0; i < embeddedFileCount; ++i)
	{
		const EmbeddedFile& file = embeddedFiles[i];
		_embedded[file.path] = makeAsset(file.path, std::string(reinterpret_cast<const char*>(file.data), file.size));
	}
}

AssetStore::AssetStore(const std::string& root)
{
	_root = canonical(root);
	struct stat info;
	if (_root.empty() || ::stat(_root.c_str(), &info) != 0 || !S_ISDIR(info.st_mode))
		throw Poco::FileNotFoundException("web root is not a folder", root);
}

std::shared_ptr<const Asset> AssetStore::makeAsset(const std::string& path, std::string body)
{
	auto asset = std::make_shared<Asset>();
	asset->contentType = ContentTypes::forPath(path);
	Poco::SHA1Engine sha1;
	sha1.update(body);
	asset->etag = "\"" + Poco::DigestEngine::digestToHex(sha1.digest()).substr(0, 24) + "\"";
	asset->body = std::move(body);
	return asset;
}

std::shared_ptr<const Asset> AssetStore::find(const std::string& relativePath) const
{
	if (!SafePath::isSafe(relativePath)) return nullptr;
	if (fromDisk()) return readFromDisk(relativePath);
	auto it = _embedded.find(relativePath);
	return it == _embedded.end() ? nullptr : it->second;
}

std::shared_ptr<const Asset> AssetStore::readFromDisk(const std::string& relativePath) const
{
	const std::string path = canonical(_root + "/" + relativePath);
	if (path.empty() || !SafePath::isInside(path, _root) || path == _root) return nullptr;
	struct stat info;
	if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return nullptr;
	if (static_cast<std::size_t>(info.st_size) > maxFileSize) return nullptr;
	std::ifstream in(path, std::ios::binary);
	if (!in) return nullptr;
	std::string body;
	body.reserve(static_cast<std::size_t>(info.st_size));
	body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
	if (body.size() > maxFileSize) return nullptr;
	return makeAsset(relativePath, std::move(body));
}

} } // namespace Palaver::Web
