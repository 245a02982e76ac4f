// Group commit for the audit log: concurrent append_audit callers share one transaction and
// so one fsync. Under synchronous=FULL every commit costs an fsync (~4 ms on the development
// VM), and the server appends one event per key release and must not release the key before
// that event is durable; one fsync per event would cap releases at a few hundred a second.
//
// How: submit() queues the caller's event and blocks. If no batch is being written, the
// caller becomes the leader: it takes up to max_batch queued events (oldest first), hands
// them to the write function (which writes them in one transaction) without holding the
// queue lock, then wakes every caller of that batch with the one shared result. Callers that
// queued meanwhile form the next batch, written by one of them. There is no writer thread:
// every queued event belongs to a caller blocked in submit(), and some caller is always
// leading while the queue is non-empty, so nothing can be left behind and nothing needs
// stopping at shutdown. The object must outlive every submit() call (as any member would).
//
// Guarantee: submit() returns ok only when the write function returned ok for a batch that
// held the event; when it fails, every event of the batch gets the error (none is half
// written: the write function's transaction rolls back). Events leave the queue in the
// order they entered it, so one thread's events are written in its call order.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <span>

#include "base/result.h"
#include "store/store.h"

namespace cw::attest::store {

// At most this many events in one transaction (bounds the leader's work and the WAL growth
// of one commit), and at most this many waiting; further callers wait for room.
inline constexpr size_t kMaxAuditBatch = 512;
inline constexpr size_t kMaxAuditQueue = 4096;

class AuditGroupCommit {
public:
    // Writes all events in one transaction, or none; called by one leader at a time, never
    // with an empty span, never with the queue lock held.
    using WriteBatch = std::function<Result<void>(std::span<const AuditEvent* const>)>;

    explicit AuditGroupCommit(WriteBatch write, size_t max_batch = kMaxAuditBatch,
                              size_t max_queue = kMaxAuditQueue);
    AuditGroupCommit(const AuditGroupCommit&) = delete;
    AuditGroupCommit& operator=(const AuditGroupCommit&) = delete;
    ~AuditGroupCommit();

    // Blocks until a batch holding `event` has been written; returns that batch's result.
    Result<void> submit(const AuditEvent& event);

    // Batches written so far (successful or not); for tests and metrics.
    [[nodiscard]] size_t batches() const;

private:
    struct Waiter;

    void lead(std::unique_lock<std::mutex>& lock);

    const WriteBatch m_write;
    const size_t m_max_batch;
    const size_t m_max_queue;

    mutable std::mutex m_mutex;          // guards everything below
    std::condition_variable m_done;      // a batch finished (waiters check their flag)
    std::condition_variable m_room;      // the queue shrank
    std::deque<Waiter*> m_queue;         // each points into a caller blocked in submit()
    bool m_leading = false;              // a leader is writing a batch right now
    size_t m_batches = 0;
};

}  // namespace cw::attest::store
