//
// AttachmentStore.h
//

#ifndef Palaver_Attachments_AttachmentStore_INCLUDED
#define Palaver_Attachments_AttachmentStore_INCLUDED

#include "Attachment.h"
#include <Poco/Optional.h>
#include <Poco/Types.h>
#include <string>
#include <vector>

namespace Poco { class Logger; }

namespace Palaver {

class Database;

namespace Attachments {

/// Where uploads live: their rows in the attachments table and their bytes
/// in a folder ([attachments] store_dir), which several nodes may share (e.g.
/// over NFS): <store>/<first two characters of the id>/<id> and <id>.thumb,
/// and partial uploads in <store>/tmp/, renamed into place once complete (a
/// rename within one file system: a reader never sees half a file). The
/// row is written after the files; a file without a row (a crash between
/// the two) is never served. Thread-safe.
class AttachmentStore
{
public:
	AttachmentStore(Database& database, std::string folder, Poco::Logger& logger);

	/// Creates or migrates the table and the folders.
	void migrate();

	/// A new random id (128 bits, base64url, 22 characters): not guessable.
	static std::string newId();

	/// Whether text has the form of an id (a route parameter is checked before it names a file).
	static bool isId(const std::string& text);

	/// A fresh path for a partial upload (in the store's tmp/ folder).
	std::string temporaryPath() const;

	std::string filePath(const std::string& id) const;
	std::string thumbnailPath(const std::string& id) const;

	/// Moves a finished file to path (creating its folder). Throws
	/// Poco::FileException.
	void moveInto(const std::string& from, const std::string& path) const;

	/// Bytes the user's stored uploads take (their quota's use).
	Poco::UInt64 usedBy(Poco::Int64 ownerId);

	/// Records an upload whose files are in place.
	void add(const Attachment& attachment);

	Poco::Optional<Attachment> find(const std::string& id);

	/// Takes ownerId's upload id, not attached yet, for a message to
	/// toUserId or groupId (the other 0) about to be stored: false for
	/// anyone else's upload, an unknown one, or one taken already (an
	/// upload is attached once).
	bool reserve(const std::string& id, Poco::Int64 ownerId, Poco::Int64 toUserId, Poco::Int64 groupId);

	/// A reserved upload whose message was not stored is free again.
	void release(const std::string& id);

	/// Ties a reserved upload to its stored message.
	bool attach(const std::string& id, Poco::Int64 ownerId, Poco::Int64 messageId);

	/// The uploads a message carries.
	std::vector<std::string> ofMessage(Poco::Int64 messageId);

	/// Removes the row and the files.
	void remove(const std::string& id);

	/// Removes the files only (their row was never written).
	void removeFiles(const std::string& id);

	/// Removes the uploads never attached to a message and older than
	/// maxAgeSeconds, and partial uploads older than that (left by a crash);
	/// returns how many uploads went.
	std::size_t expire(Poco::Int64 maxAgeSeconds);

	const std::string& folder() const { return _folder; }

private:
	/// Runs statement with values, then id, bound; the rows changed.
	std::size_t update(const std::string& statement, std::vector<Poco::Int64> values, const std::string& id);

	Database& _database;
	const std::string _folder;
	Poco::Logger& _logger;
};

} } // namespace Palaver::Attachments

#endif
