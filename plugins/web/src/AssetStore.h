//
// AssetStore.h
//

#ifndef Palaver_Web_AssetStore_INCLUDED
#define Palaver_Web_AssetStore_INCLUDED

#include <cstddef>
#include <map>
#include <memory>
#include <string>

namespace Palaver {
namespace Web {

/// One static file, ready to send.
struct Asset
{
	std::string contentType;
	std::string body;
	std::string etag;  /// quoted strong validator, from the content's SHA-1
};

/// Finds the client's files by relative path ("index.html", "assets/app.js"):
/// either those embedded into the plugin at build time, or, with a root
/// folder (development), the files under that folder, read on every request.
/// Paths that SafePath refuses, files outside the root (also through symbolic
/// links), anything but regular files and files over maxFileSize name nothing.
class AssetStore
{
public:
	static const std::size_t maxFileSize = 16 * 1024 * 1024;

	/// The embedded files.
	AssetStore();

	/// The files under root; throws Poco::FileNotFoundException when root is
	/// not a readable folder.
	explicit AssetStore(const std::string& root);

	/// The file, or nullptr when there is none by that name.
	std::shared_ptr<const Asset> find(const std::string& relativePath) const;

	bool fromDisk() const { return !_root.empty(); }
	const std::string& root() const { return _root; }
	std::size_t embeddedCount() const { return _embedded.size(); }

	static std::shared_ptr<const Asset> makeAsset(const std::string& path, std::string body);

private:
	std::shared_ptr<const Asset> readFromDisk(const std::string& relativePath) const;

	std::map<std::string, std::shared_ptr<const Asset>> _embedded;
	std::string _root;  /// canonical, no trailing slash; empty: embedded files
};

} } // namespace Palaver::Web

#endif
