#include "store/audit_group_commit.h"

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <string>
#include <utility>
#include <vector>

namespace cw::attest::store {

// One blocked submit() call: lives on its stack; `done` and `result` are written by the
// leader under m_mutex, read by the owner under m_mutex.
struct AuditGroupCommit::Waiter {
    const AuditEvent* event;
    bool done = false;
    Result<void> result;
};

AuditGroupCommit::AuditGroupCommit(WriteBatch write, size_t max_batch, size_t max_queue)
    : m_write(std::move(write)), m_max_batch(std::max<size_t>(max_batch, 1)),
      m_max_queue(std::max<size_t>(max_queue, 1)) {}

AuditGroupCommit::~AuditGroupCommit() {
    // Every queued Waiter is a caller still inside submit(): destroying this now would leave
    // it pointing at freed memory. That is a caller bug, so fail loudly rather than quietly.
    std::lock_guard lock(m_mutex);
    if (!m_queue.empty() || m_leading)
        std::abort();
}

Result<void> AuditGroupCommit::submit(const AuditEvent& event) {
    Waiter me{&event, false, {}};
    std::unique_lock lock(m_mutex);
    m_room.wait(lock, [&] { return m_queue.size() < m_max_queue; });
    m_queue.push_back(&me);
    // Either some leader's batch takes `me`, or no one is leading and this caller leads
    // (its own event is in the queue, so the queue is not empty). A leader whose batch did
    // not reach `me` (queue longer than a batch) loops and leads or waits again.
    while (!me.done) {
        if (!m_leading)
            lead(lock);
        else
            m_done.wait(lock);
    }
    return std::move(me.result);
}

void AuditGroupCommit::lead(std::unique_lock<std::mutex>& lock) {
    m_leading = true;
    const auto n = static_cast<std::ptrdiff_t>(std::min(m_queue.size(), m_max_batch));
    std::vector<Waiter*> batch(m_queue.begin(), m_queue.begin() + n);
    m_queue.erase(m_queue.begin(), m_queue.begin() + n);
    std::vector<const AuditEvent*> events;
    events.reserve(batch.size());
    for (const Waiter* w : batch)
        events.push_back(w->event);
    m_room.notify_all();

    // The write (and its fsync) runs without m_mutex so the next batch can queue meanwhile.
    // An exception must not escape: m_leading would stay set and every caller would hang.
    lock.unlock();
    Result<void> result;
    try {
        result = m_write(events);
    } catch (const std::exception& e) {
        result = Error::msg(std::string("audit batch write threw: ") + e.what());
    }
    lock.lock();

    for (Waiter* w : batch) {
        w->result = result;
        w->done = true;
    }
    ++m_batches;
    m_leading = false;
    m_done.notify_all();  // the batch's callers return; one of the rest becomes the leader
}

size_t AuditGroupCommit::batches() const {
    std::lock_guard lock(m_mutex);
    return m_batches;
}

}  // namespace cw::attest::store
