//
// Database.h
//

#ifndef Palaver_Database_INCLUDED
#define Palaver_Database_INCLUDED

#include <Poco/Data/Session.h>
#include <functional>
#include <string>
#include <vector>

namespace Palaver {

/// The store every plugin shares: a Poco::Data session pool on SQLite (the
/// embedded default) or PostgreSQL, chosen by [database] connector. Plugins
/// write SQL that runs on both: "?" placeholders passed through sql(), ids from
/// "INSERT ... RETURNING id", times as integers, serialPrimaryKey() for ids.
class Database
{
public:
	enum class Kind { SQLite, PostgreSQL };

	virtual ~Database() = default;

	virtual Kind kind() const = 0;

	/// A pooled session. Waits up to [database] acquire_timeout for a free one;
	/// throws HttpError 503 "storage_unavailable" when none comes or the store
	/// cannot be reached.
	virtual Poco::Data::Session session() = 0;

	/// Runs work inside one write transaction and commits it: BEGIN IMMEDIATE
	/// on SQLite, so that concurrent writers queue on the busy time-out instead
	/// of failing. Rolls back and rethrows if work throws; a storage failure
	/// becomes HttpError 503.
	virtual void transact(const std::function<void(Poco::Data::Session&)>& work) = 0;

	/// Brings a component's tables to the newest schema. steps[i] holds the
	/// statements that take version i to i+1; the steps not yet applied run in
	/// order, each in a transaction, and the reached version is recorded in
	/// the core's schema_versions table. Never edit a step once released: add one.
	virtual void migrate(const std::string& component, const std::vector<std::vector<std::string>>& steps) = 0;

	/// The statement for this connector: "?" placeholders become "$1", "$2", ...
	/// on PostgreSQL. Keep "?" out of string literals.
	virtual std::string sql(const std::string& statement) const = 0;

	/// Column type of an auto-numbered 64-bit primary key.
	virtual std::string serialPrimaryKey() const = 0;
};

} // namespace Palaver

#endif
