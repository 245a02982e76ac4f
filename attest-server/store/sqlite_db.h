// Thin RAII over the sqlite3 C API: one connection, prepared statements with bound
// parameters (the only way SQL meets data here), and a transaction guard. Not thread-safe by
// itself: SqliteStore serialises every use of a connection behind that connection's mutex.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace cw::attest::store {

class SqliteStatement;

class SqliteDb {
public:
    // Opens `path` read-write, creating it with mode 0600 if missing (SQLite gives the -wal
    // and -shm files the database file's mode). An existing file keeps its mode.
    static Result<SqliteDb> open(const std::string& path);

    // Runs fixed SQL text (pragmas, BEGIN/COMMIT, schema): never SQL built from data.
    Result<void> exec(std::string_view step, const char* sql);
    Result<SqliteStatement> prepare(const char* sql);
    // "<step>: <sqlite message> (code N)".
    [[nodiscard]] Error error(std::string_view step) const;
    [[nodiscard]] sqlite3* get() const { return m_db.get(); }
    [[nodiscard]] const std::string& path() const { return m_path; }

private:
    struct Closer {
        void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
    };
    SqliteDb(sqlite3* db, std::string path) : m_db(db), m_path(std::move(path)) {}
    std::unique_ptr<sqlite3, Closer> m_db;
    std::string m_path;
};

// A prepared statement. Each use goes through a Use, which resets the statement and clears
// its bindings when it ends, so borrowed buffers (bound without copying) never outlive it.
class SqliteStatement {
public:
    class Use {
    public:
        explicit Use(SqliteStatement& s) : m_stmt(s.m_stmt.get()) {}
        Use(const Use&) = delete;
        Use& operator=(const Use&) = delete;
        ~Use() {
            sqlite3_reset(m_stmt);
            sqlite3_clear_bindings(m_stmt);
        }
        // Parameters are 1-based, as in SQL's ?1, ?2. The bytes must outlive the Use.
        Result<void> bind(int index, std::string_view text);
        Result<void> bind(int index, std::span<const uint8_t> blob);
        Result<void> bind(int index, int64_t value);
        // true while a row is available, false when done.
        Result<bool> step();
        [[nodiscard]] int64_t int64_at(int column) const;
        [[nodiscard]] std::string text_at(int column) const;
        [[nodiscard]] std::vector<uint8_t> blob_at(int column) const;

    private:
        Result<void> check_bind(int rc, int index);
        sqlite3_stmt* m_stmt;
    };

private:
    friend class SqliteDb;
    struct Finalizer {
        void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
    };
    explicit SqliteStatement(sqlite3_stmt* s) : m_stmt(s) {}
    std::unique_ptr<sqlite3_stmt, Finalizer> m_stmt;
};

// BEGIN IMMEDIATE (takes the write lock up front: no upgrade deadlock with other processes);
// rolls back unless commit() succeeded.
class SqliteTransaction {
public:
    static Result<SqliteTransaction> begin(SqliteDb& db);
    SqliteTransaction(SqliteTransaction&& other) noexcept : m_db(std::exchange(other.m_db, nullptr)) {}
    SqliteTransaction& operator=(SqliteTransaction&&) = delete;
    SqliteTransaction(const SqliteTransaction&) = delete;
    SqliteTransaction& operator=(const SqliteTransaction&) = delete;
    ~SqliteTransaction();
    Result<void> commit();

private:
    explicit SqliteTransaction(SqliteDb* db) : m_db(db) {}
    SqliteDb* m_db;
};

}  // namespace cw::attest::store
