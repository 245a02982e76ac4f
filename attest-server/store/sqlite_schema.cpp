#include "store/sqlite_schema.h"

#include <array>
#include <string>

namespace cw::attest::store {

namespace {

constexpr int kBusyTimeoutMs = 5000;

// migrations[i] takes the schema from version i to i + 1. Append, never edit.
constexpr std::array<const char*, kSchemaVersion> kMigrations = {
    // 0 -> 1: workloads (sealed disk keys only: version || iv || ciphertext || tag) and the
    // append-only audit log (AUTOINCREMENT: seq never reused, so newest-first is by seq).
    "CREATE TABLE workloads ("
    " id TEXT PRIMARY KEY NOT NULL,"
    " policy TEXT NOT NULL,"
    " sealed_key BLOB NOT NULL,"
    " created INTEGER NOT NULL,"
    " updated INTEGER NOT NULL);"
    "CREATE TABLE audit ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    " time INTEGER NOT NULL,"
    " actor TEXT NOT NULL,"
    " action TEXT NOT NULL,"
    " workload TEXT NOT NULL,"
    " reason TEXT NOT NULL,"
    " detail TEXT NOT NULL);"
    "PRAGMA user_version = 1;",
};

Result<int64_t> read_user_version(SqliteDb& db) {
    SqliteStatement stmt = CW_TRY(db.prepare("PRAGMA user_version"));
    SqliteStatement::Use use(stmt);
    if (!CW_TRY(use.step()))
        return Error::msg("PRAGMA user_version returned no row");
    return use.int64_at(0);
}

Result<void> refuse_newer(SqliteDb& db, int64_t version) {
    if (version > kSchemaVersion)
        return Error::msg("database " + db.path() + ": schema version " + std::to_string(version) +
                          " is newer than this server's " + std::to_string(kSchemaVersion) +
                          " (written by a newer cw-attest-server?); refusing to open it");
    if (version < 0)
        return Error::msg("database " + db.path() + ": schema version " + std::to_string(version) + " is invalid");
    return {};
}

Result<void> set_journal_wal(SqliteDb& db) {
    SqliteStatement stmt = CW_TRY(db.prepare("PRAGMA journal_mode = WAL"));
    SqliteStatement::Use use(stmt);
    if (!CW_TRY(use.step()))
        return Error::msg("PRAGMA journal_mode = WAL returned no row");
    const std::string mode = use.text_at(0);
    if (mode != "wal")
        return Error::msg("database " + db.path() + ": journal mode stays \"" + mode + "\", WAL not available");
    return {};
}

}  // namespace

Result<void> configure_connection(SqliteDb& db) {
    // Reading user_version is the first access: a file that is not a database fails here,
    // and a newer schema is refused before WAL mode would rewrite the file header.
    const int64_t version = CW_TRY(read_user_version(db).context("database " + db.path()));
    CW_TRY(refuse_newer(db, version));

    if (sqlite3_busy_timeout(db.get(), kBusyTimeoutMs) != SQLITE_OK)
        return db.error("sqlite3_busy_timeout");
    // Defensive mode: no writable_schema or other ways for SQL to corrupt the file.
    if (sqlite3_db_config(db.get(), SQLITE_DBCONFIG_DEFENSIVE, 1, static_cast<int*>(nullptr)) != SQLITE_OK)
        return db.error("SQLITE_DBCONFIG_DEFENSIVE");
    CW_TRY(db.exec("PRAGMA foreign_keys = ON", "PRAGMA foreign_keys = ON"));
    // Deleted rows (a revoked workload's sealed key) are zeroed in the file, not left in
    // free pages for whoever later gets the file and the master key.
    CW_TRY(db.exec("PRAGMA secure_delete = ON", "PRAGMA secure_delete = ON"));
    CW_TRY(set_journal_wal(db));
    // FULL, not NORMAL: in WAL mode NORMAL may lose the last commits on power loss (never
    // corrupting the file). Here a lost commit could be an acknowledged DELETE, bringing a
    // revoked workload (and the release of its disk key) back after a crash, or the audit row
    // of a key release. FULL syncs the WAL on every commit: a few ms each on a plain disk.
    // Writes are admin changes and about one audit row per guest request, and concurrent
    // audit rows share one commit (group commit, audit_group_commit.h); reads run on a
    // separate connection and never wait for a commit's fsync (SqliteStore).
    CW_TRY(db.exec("PRAGMA synchronous = FULL", "PRAGMA synchronous = FULL"));
    return {};
}

Result<void> configure_reader(SqliteDb& db) {
    if (sqlite3_busy_timeout(db.get(), kBusyTimeoutMs) != SQLITE_OK)
        return db.error("sqlite3_busy_timeout");
    if (sqlite3_db_config(db.get(), SQLITE_DBCONFIG_DEFENSIVE, 1, static_cast<int*>(nullptr)) != SQLITE_OK)
        return db.error("SQLITE_DBCONFIG_DEFENSIVE");
    CW_TRY(db.exec("PRAGMA query_only = ON", "PRAGMA query_only = ON"));
    // The writer already checked and migrated; check again that both see the same schema.
    const int64_t version = CW_TRY(read_user_version(db).context("database " + db.path()));
    if (version != kSchemaVersion)
        return Error::msg("database " + db.path() + ": reader sees schema version " + std::to_string(version));
    return {};
}

Result<void> migrate(SqliteDb& db) {
    SqliteTransaction tx = CW_TRY(SqliteTransaction::begin(db).context("database " + db.path() + ": migration"));
    // Read again inside the write transaction: another process may have migrated meanwhile.
    const int64_t version = CW_TRY(read_user_version(db).context("database " + db.path()));
    CW_TRY(refuse_newer(db, version));
    for (int64_t v = version; v < kSchemaVersion; ++v)
        CW_TRY(db.exec("database " + db.path() + ": migration to schema version " + std::to_string(v + 1),
                       kMigrations[static_cast<size_t>(v)]));
    CW_TRY(tx.commit().context("database " + db.path() + ": migration"));
    return {};
}

}  // namespace cw::attest::store
