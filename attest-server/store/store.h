// The attestation server's persistent state behind one interface: workloads (policy and
// sealed disk key) and the audit log. open_sqlite_store (sqlite_store.h) is the one
// implementation today; a PostgreSQL backend could implement the same interface.
//
// Contract for every implementation:
// - Thread-safe: the server calls one Store from several threads at once.
// - Disk keys are sealed with the MasterKey before they reach storage and opened on read;
//   key material never appears in an error message or a log line.
// - Errors are one line naming the step ("workload hello: sealed disk key does not open with
//   this master key"), fit for the server log.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "store/secret_bytes.h"

namespace cw::attest::store {

// Limits the store enforces itself (the server validates the protocol's own limits first).
inline constexpr size_t kMaxPolicyBytes = 256 * 1024;     // = the protocol's kMaxBodyBytes
inline constexpr size_t kMaxDiskKeyBytes = 1024;          // the API allows 32..64
inline constexpr size_t kMaxAuditFieldBytes = 4096;       // longer audit fields are cut
inline constexpr size_t kMaxAuditListEvents = 10000;      // list_audit's limit is clamped

struct WorkloadRecord {
    std::string id;
    std::string policy_json;
    SecretBytes disk_key;
    int64_t created = 0;  // seconds since the epoch, as passed to put_workload
    int64_t updated = 0;
};

struct WorkloadSummary {
    std::string id;
    int64_t created = 0;
    int64_t updated = 0;
};

struct AuditEvent {
    int64_t time = 0;
    std::string actor;     // "admin" or the client address
    std::string action;
    std::string workload;  // empty when none applies
    std::string reason;
    std::string detail;
};

enum class PutOutcome { Created, Updated };

class Store {
public:
    virtual ~Store() = default;

    // Creates or replaces the workload `id` (1..128 of [a-z0-9._-], starting [a-z0-9]).
    // `created` is kept on update; `updated` becomes `now`.
    virtual Result<PutOutcome> put_workload(std::string_view id, std::string_view policy_json,
                                            std::span<const uint8_t> disk_key, int64_t now) = 0;
    // nullopt when absent; an error when the row exists but its key does not open.
    virtual Result<std::optional<WorkloadRecord>> get_workload(std::string_view id) = 0;
    // false when absent.
    virtual Result<bool> delete_workload(std::string_view id) = 0;
    // Sorted by id.
    virtual Result<std::vector<WorkloadSummary>> list_workloads() = 0;
    // Fields longer than kMaxAuditFieldBytes are cut (at a UTF-8 boundary) and marked "...".
    // Returns ok only once the event is durably stored (the server releases a key only after
    // its audit record is): an implementation may batch concurrent calls into one commit, but
    // each call waits for the commit holding its event, and one thread's events keep its order.
    virtual Result<void> append_audit(const AuditEvent&) = 0;
    // Newest first (by insertion order, not by `time`); at most min(limit, kMaxAuditListEvents).
    virtual Result<std::vector<AuditEvent>> list_audit(size_t limit) = 0;
};

// The protocol's workload id rule, checked again by put_workload so the store never holds a
// row the API could not name (ids also end up in error messages and the sealing AAD).
[[nodiscard]] bool valid_workload_id(std::string_view id);

// An audit field cut to kMaxAuditFieldBytes (at a UTF-8 character boundary, ending "...").
[[nodiscard]] std::string clip_audit_field(std::string_view field);

}  // namespace cw::attest::store
