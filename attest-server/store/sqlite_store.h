// The SQLite Store: one database file (schema in sqlite_schema.cpp), disk keys sealed under
// the master key.
//
// Thread safety: safe to call from any number of threads. Two connections, each behind its
// own mutex: every write (workloads, audit batches) on the writer, every read on a query_only
// reader. The audit queue has its own lock, never held while waiting for the writer's.
// In WAL mode the reader sees each commit that finished before its statement began and never
// waits for the writer's fsync. Sealing and opening keys run outside both locks. Several
// processes on one file are as safe as SQLite makes them (WAL, 5 s busy timeout), though the
// server does not need that.
//
// Durability: WAL with synchronous=FULL, so every acknowledged put/delete/audit survives a
// power loss (see configure_connection for why not NORMAL). The cost is one fsync per commit,
// ~4 ms on the development VM's disk. put/delete commit one by one (a few hundred a second
// at most; they are admin operations). append_audit uses group commit (audit_group_commit.h):
// concurrent appends share one transaction and one fsync, up to kMaxAuditBatch events each,
// so one caller still gets ~250 appends a second but 64 concurrent callers get thousands,
// and each call still returns only once its own event is committed.
//
// A database whose keys were sealed under another master key opens fine; list_workloads and
// the audit log work, and get_workload of such a row fails with
// "workload <id>: sealed disk key does not open with this master key".
#pragma once

#include <memory>
#include <string>

#include "store/master_key.h"
#include "store/store.h"

namespace cw::attest::store {

// Opens (creating it with mode 0600 if missing) and migrates the database at `path`.
// Refuses a database with a newer schema version than this code knows.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, MasterKey master_key);

}  // namespace cw::attest::store
