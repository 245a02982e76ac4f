// The SQLite store's connection settings and schema migrations (PRAGMA user_version).
#pragma once

#include "store/sqlite_db.h"

namespace cw::attest::store {

// The newest schema this code writes and reads.
inline constexpr int64_t kSchemaVersion = 1;

// Refuses a database whose user_version is newer than kSchemaVersion (before changing
// anything in it), then sets the connection up: busy timeout, foreign keys, defensive mode,
// secure_delete, WAL journal, synchronous=FULL.
Result<void> configure_connection(SqliteDb& db);

// Sets up a second connection used only for reads: busy timeout, defensive, query_only
// (it cannot write even by mistake). Call after migrate() on the writer.
Result<void> configure_reader(SqliteDb& db);

// Brings the schema from its user_version to kSchemaVersion, all in one transaction
// (a failed migration leaves the file as it was).
Result<void> migrate(SqliteDb& db);

}  // namespace cw::attest::store
