//
// VapidKeyStore.h
//

#ifndef Palaver_Push_VapidKeyStore_INCLUDED
#define Palaver_Push_VapidKeyStore_INCLUDED

#include "VapidKey.h"
#include <string>

namespace Poco { class Logger; }

namespace Palaver {

class Database;

namespace Push {

/// The VAPID key pair in the table push_vapid_key (one row; migrated with
/// the plugin's other table by SubscriptionRepository::migrate()), so that
/// every node of a cluster signs with the one key the browsers subscribed
/// with, and nothing is copied between nodes by hand.
class VapidKeyStore
{
public:
	explicit VapidKeyStore(Database& database);

	/// The stored key. When there is none yet, stores the key of legacyFile
	/// (<state_dir>/push/vapid.pem of a release that kept it there: the
	/// browsers subscribed with it stay valid) if that file exists, else a
	/// new key; insert-if-absent in one transaction, so that nodes starting
	/// together all end up with the row the first of them stored. Logs what
	/// it did, and warns when legacyFile holds another key than the stored
	/// one (the file is not read again). Called once at start; throws
	/// Poco::Exception when the file or the stored row holds no P-256 key.
	VapidKey load(const std::string& legacyFile, Poco::Logger& logger);

private:
	/// The stored PEM; when there is none, first stores candidatePem. True in
	/// stored when candidatePem is the one stored now by this call.
	std::string storeIfAbsent(const std::string& candidatePem, bool& stored);

	Database& _database;
};

} } // namespace Palaver::Push

#endif
