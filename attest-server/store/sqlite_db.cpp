#include "store/sqlite_db.h"

#include <fcntl.h>
#include <unistd.h>

#include <climits>

#include "base/unique_fd.h"

namespace cw::attest::store {

Result<SqliteDb> SqliteDb::open(const std::string& path) {
    // Create the file ourselves: sqlite3_open_v2 would create it 0644 (less umask).
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600));
    if (!fd.valid())
        return Error::sys("database " + path + ": open");
    fd.reset();

    sqlite3* raw = nullptr;
    // FULLMUTEX as a second line behind SqliteStore's own mutex; NOFOLLOW is not used (an
    // operator may symlink the database), and the file now exists so CREATE is not needed.
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    SqliteDb db(raw, path);  // owns the handle even when the open failed
    if (rc != SQLITE_OK)
        return db.error("database " + path + ": sqlite3_open_v2");
    sqlite3_extended_result_codes(raw, 1);
    return db;
}

Error SqliteDb::error(std::string_view step) const {
    const char* msg = m_db ? sqlite3_errmsg(m_db.get()) : "out of memory";
    const int code = m_db ? sqlite3_extended_errcode(m_db.get()) : SQLITE_NOMEM;
    return Error::msg(std::string(step) + ": " + msg + " (code " + std::to_string(code) + ")");
}

Result<void> SqliteDb::exec(std::string_view step, const char* sql) {
    if (sqlite3_exec(m_db.get(), sql, nullptr, nullptr, nullptr) != SQLITE_OK)
        return error(step);
    return {};
}

Result<SqliteStatement> SqliteDb::prepare(const char* sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v3(m_db.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr) != SQLITE_OK)
        return error(std::string("prepare \"") + sql + "\"");
    return SqliteStatement(raw);
}

Result<void> SqliteStatement::Use::check_bind(int rc, int index) {
    if (rc != SQLITE_OK)
        return Error::msg("bind parameter " + std::to_string(index) + ": " + sqlite3_errstr(rc));
    return {};
}

Result<void> SqliteStatement::Use::bind(int index, std::string_view text) {
    if (text.size() > INT_MAX)
        return Error::msg("bind parameter " + std::to_string(index) + ": text too long");
    // An empty string_view may have a null data(), which SQLite would bind as NULL.
    const char* data = text.data() ? text.data() : "";
    return check_bind(sqlite3_bind_text(m_stmt, index, data, static_cast<int>(text.size()), SQLITE_STATIC),
                      index);
}

Result<void> SqliteStatement::Use::bind(int index, std::span<const uint8_t> blob) {
    if (blob.size() > INT_MAX)
        return Error::msg("bind parameter " + std::to_string(index) + ": blob too long");
    return check_bind(sqlite3_bind_blob(m_stmt, index, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC),
                      index);
}

Result<void> SqliteStatement::Use::bind(int index, int64_t value) {
    return check_bind(sqlite3_bind_int64(m_stmt, index, value), index);
}

Result<bool> SqliteStatement::Use::step() {
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    sqlite3* db = sqlite3_db_handle(m_stmt);
    return Error::msg(std::string("\"") + sqlite3_sql(m_stmt) + "\": " + sqlite3_errmsg(db) + " (code " +
                      std::to_string(sqlite3_extended_errcode(db)) + ")");
}

int64_t SqliteStatement::Use::int64_at(int column) const { return sqlite3_column_int64(m_stmt, column); }

std::string SqliteStatement::Use::text_at(int column) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, column));
    const int n = sqlite3_column_bytes(m_stmt, column);  // after column_text, as SQLite asks
    return p ? std::string(p, static_cast<size_t>(n)) : std::string();
}

std::vector<uint8_t> SqliteStatement::Use::blob_at(int column) const {
    const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(m_stmt, column));
    const int n = sqlite3_column_bytes(m_stmt, column);
    return p ? std::vector<uint8_t>(p, p + n) : std::vector<uint8_t>();
}

Result<SqliteTransaction> SqliteTransaction::begin(SqliteDb& db) {
    CW_TRY(db.exec("BEGIN IMMEDIATE", "BEGIN IMMEDIATE"));
    return SqliteTransaction(&db);
}

Result<void> SqliteTransaction::commit() {
    SqliteDb* db = std::exchange(m_db, nullptr);
    if (sqlite3_exec(db->get(), "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
        Error err = db->error("COMMIT");
        sqlite3_exec(db->get(), "ROLLBACK", nullptr, nullptr, nullptr);  // no-op if SQLite already did
        return err;
    }
    return {};
}

SqliteTransaction::~SqliteTransaction() {
    if (m_db)
        sqlite3_exec(m_db->get(), "ROLLBACK", nullptr, nullptr, nullptr);
}

}  // namespace cw::attest::store
