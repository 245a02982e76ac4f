#include "store/sqlite_store.h"

#include <algorithm>
#include <mutex>

#include "store/audit_group_commit.h"
#include "store/sqlite_db.h"
#include "store/sqlite_schema.h"

namespace cw::attest::store {

namespace {

// Statements of the writer connection, prepared once at open. Parameters are always bound.
struct WriterStatements {
    SqliteStatement workload_exists;
    SqliteStatement insert_workload;
    SqliteStatement update_workload;
    SqliteStatement delete_workload;
    SqliteStatement insert_audit;

    static Result<WriterStatements> prepare(SqliteDb& db) {
        return WriterStatements{
            CW_TRY(db.prepare("SELECT 1 FROM workloads WHERE id = ?1")),
            CW_TRY(db.prepare("INSERT INTO workloads (id, policy, sealed_key, created, updated)"
                              " VALUES (?1, ?2, ?3, ?4, ?4)")),
            CW_TRY(db.prepare("UPDATE workloads SET policy = ?2, sealed_key = ?3, updated = ?4 WHERE id = ?1")),
            CW_TRY(db.prepare("DELETE FROM workloads WHERE id = ?1")),
            CW_TRY(db.prepare("INSERT INTO audit (time, actor, action, workload, reason, detail)"
                              " VALUES (?1, ?2, ?3, ?4, ?5, ?6)")),
        };
    }
};

// Statements of the (query_only) reader connection.
struct ReaderStatements {
    SqliteStatement select_workload;
    SqliteStatement list_workloads;
    SqliteStatement list_audit;

    static Result<ReaderStatements> prepare(SqliteDb& db) {
        return ReaderStatements{
            CW_TRY(db.prepare("SELECT policy, sealed_key, created, updated FROM workloads WHERE id = ?1")),
            CW_TRY(db.prepare("SELECT id, created, updated FROM workloads ORDER BY id")),
            CW_TRY(db.prepare("SELECT time, actor, action, workload, reason, detail FROM audit"
                              " ORDER BY seq DESC LIMIT ?1")),
        };
    }
};

// One connection, its statements, and the mutex that serialises their use.
template <class Statements>
struct Connection {
    Connection(SqliteDb d, Statements s) : db(std::move(d)), stmts(std::move(s)) {}
    std::mutex mutex;
    SqliteDb db;  // declared before the statements: they are finalized first, the handle closed last
    Statements stmts;
};

// Writes go through the writer connection (SQLite has one writer at a time anyway), reads
// through the reader: in WAL mode a reader sees every commit that finished before its
// statement started, and never waits for a writer's fsync.
class SqliteStore final : public Store {
public:
    SqliteStore(Connection<WriterStatements>&& writer, Connection<ReaderStatements>&& reader, MasterKey key)
        : m_writer(std::move(writer.db), std::move(writer.stmts)),
          m_reader(std::move(reader.db), std::move(reader.stmts)),
          m_key(std::move(key)),
          m_audit([this](std::span<const AuditEvent* const> events) { return write_audit_batch(events); }) {}

    Result<PutOutcome> put_workload(std::string_view id, std::string_view policy_json,
                                    std::span<const uint8_t> disk_key, int64_t now) override;
    Result<std::optional<WorkloadRecord>> get_workload(std::string_view id) override;
    Result<bool> delete_workload(std::string_view id) override;
    Result<std::vector<WorkloadSummary>> list_workloads() override;
    Result<void> append_audit(const AuditEvent& event) override;
    Result<std::vector<AuditEvent>> list_audit(size_t limit) override;

private:
    Result<PutOutcome> write_workload(std::string_view id, std::string_view policy_json,
                                      std::span<const uint8_t> sealed, int64_t now);
    // The group commit's write function: the events (already clipped) in one transaction.
    Result<void> write_audit_batch(std::span<const AuditEvent* const> events);

    Connection<WriterStatements> m_writer;
    Connection<ReaderStatements> m_reader;
    const MasterKey m_key;  // used outside the mutexes: seal/open share no mutable state
    // Takes m_writer.mutex only while writing a batch, never while holding its own lock, and
    // put/delete never touch it: no lock-order cycle. Declared last: destroyed first.
    AuditGroupCommit m_audit;
};

// Only the id rule and sizes reach the messages: never policy or key bytes.
Result<void> check_put(std::string_view id, std::string_view policy_json, std::span<const uint8_t> disk_key) {
    if (!valid_workload_id(id))
        return Error::msg("workload id is not 1..128 of [a-z0-9._-] starting with [a-z0-9]");
    if (policy_json.empty() || policy_json.size() > kMaxPolicyBytes)
        return Error::msg("policy of " + std::to_string(policy_json.size()) + " bytes (1.." +
                          std::to_string(kMaxPolicyBytes) + ")");
    if (disk_key.empty() || disk_key.size() > kMaxDiskKeyBytes)
        return Error::msg("disk key of " + std::to_string(disk_key.size()) + " bytes (1.." +
                          std::to_string(kMaxDiskKeyBytes) + ")");
    return {};
}

Result<PutOutcome> SqliteStore::put_workload(std::string_view id, std::string_view policy_json,
                                             std::span<const uint8_t> disk_key, int64_t now) {
    CW_TRY(check_put(id, policy_json, disk_key).context("put workload"));
    const std::vector<uint8_t> sealed = CW_TRY(m_key.seal(disk_key, id).context("put workload " + std::string(id)));
    std::lock_guard lock(m_writer.mutex);
    return write_workload(id, policy_json, sealed, now).context("put workload " + std::string(id));
}

Result<PutOutcome> SqliteStore::write_workload(std::string_view id, std::string_view policy_json,
                                               std::span<const uint8_t> sealed, int64_t now) {
    SqliteTransaction tx = CW_TRY(SqliteTransaction::begin(m_writer.db));
    bool exists = false;
    {
        SqliteStatement::Use use(m_writer.stmts.workload_exists);
        CW_TRY(use.bind(1, id));
        exists = CW_TRY(use.step());
    }
    {
        SqliteStatement::Use use(exists ? m_writer.stmts.update_workload : m_writer.stmts.insert_workload);
        CW_TRY(use.bind(1, id));
        CW_TRY(use.bind(2, policy_json));
        CW_TRY(use.bind(3, sealed));
        CW_TRY(use.bind(4, now));
        CW_TRY(use.step());
    }
    CW_TRY(tx.commit());
    return exists ? PutOutcome::Updated : PutOutcome::Created;
}

Result<std::optional<WorkloadRecord>> SqliteStore::get_workload(std::string_view id) {
    WorkloadRecord record;
    std::vector<uint8_t> sealed;
    {
        std::lock_guard lock(m_reader.mutex);
        SqliteStatement::Use use(m_reader.stmts.select_workload);
        CW_TRY(use.bind(1, id).context("get workload"));
        if (!CW_TRY(use.step().context("get workload")))
            return std::optional<WorkloadRecord>();
        record.id = std::string(id);
        record.policy_json = use.text_at(0);
        sealed = use.blob_at(1);
        record.created = use.int64_at(2);
        record.updated = use.int64_at(3);
    }
    record.disk_key = CW_TRY(m_key.open(sealed, id).context("workload " + std::string(id)));
    return std::optional<WorkloadRecord>(std::move(record));
}

Result<bool> SqliteStore::delete_workload(std::string_view id) {
    std::lock_guard lock(m_writer.mutex);
    SqliteStatement::Use use(m_writer.stmts.delete_workload);
    CW_TRY(use.bind(1, id).context("delete workload"));
    CW_TRY(use.step().context("delete workload"));
    return sqlite3_changes(m_writer.db.get()) > 0;
}

Result<std::vector<WorkloadSummary>> SqliteStore::list_workloads() {
    std::lock_guard lock(m_reader.mutex);
    SqliteStatement::Use use(m_reader.stmts.list_workloads);
    std::vector<WorkloadSummary> out;
    while (CW_TRY(use.step().context("list workloads")))
        out.push_back(WorkloadSummary{use.text_at(0), use.int64_at(1), use.int64_at(2)});
    return out;
}

// Returns once the event is committed (with whatever other events were queued alongside it:
// one transaction, one fsync for the lot); an error when that shared commit failed.
Result<void> SqliteStore::append_audit(const AuditEvent& event) {
    const AuditEvent clipped{event.time,
                             clip_audit_field(event.actor),
                             clip_audit_field(event.action),
                             clip_audit_field(event.workload),
                             clip_audit_field(event.reason),
                             clip_audit_field(event.detail)};
    return m_audit.submit(clipped).context("append audit");
}

Result<void> SqliteStore::write_audit_batch(std::span<const AuditEvent* const> events) {
    std::lock_guard lock(m_writer.mutex);
    SqliteTransaction tx = CW_TRY(SqliteTransaction::begin(m_writer.db));
    for (const AuditEvent* e : events) {
        SqliteStatement::Use use(m_writer.stmts.insert_audit);
        CW_TRY(use.bind(1, e->time));
        CW_TRY(use.bind(2, e->actor));
        CW_TRY(use.bind(3, e->action));
        CW_TRY(use.bind(4, e->workload));
        CW_TRY(use.bind(5, e->reason));
        CW_TRY(use.bind(6, e->detail));
        CW_TRY(use.step());
    }
    // The batch's one fsync. A failed step above rolls back in ~SqliteTransaction, a failed
    // COMMIT in commit(): either way none of the batch is written, and every caller hears so.
    return tx.commit();
}

Result<std::vector<AuditEvent>> SqliteStore::list_audit(size_t limit) {
    const auto clamped = static_cast<int64_t>(std::min(limit, kMaxAuditListEvents));
    std::lock_guard lock(m_reader.mutex);
    SqliteStatement::Use use(m_reader.stmts.list_audit);
    CW_TRY(use.bind(1, clamped).context("list audit"));
    std::vector<AuditEvent> out;
    while (CW_TRY(use.step().context("list audit")))
        out.push_back(AuditEvent{use.int64_at(0), use.text_at(1), use.text_at(2), use.text_at(3), use.text_at(4),
                                 use.text_at(5)});
    return out;
}

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, MasterKey master_key) {
    SqliteDb writer = CW_TRY(SqliteDb::open(path));
    CW_TRY(configure_connection(writer));
    CW_TRY(migrate(writer));
    WriterStatements writer_stmts = CW_TRY(WriterStatements::prepare(writer).context("database " + path));

    SqliteDb reader = CW_TRY(SqliteDb::open(path));
    CW_TRY(configure_reader(reader));
    ReaderStatements reader_stmts = CW_TRY(ReaderStatements::prepare(reader).context("database " + path));

    return std::unique_ptr<Store>(std::make_unique<SqliteStore>(
        Connection<WriterStatements>(std::move(writer), std::move(writer_stmts)),
        Connection<ReaderStatements>(std::move(reader), std::move(reader_stmts)), std::move(master_key)));
}

}  // namespace cw::attest::store
