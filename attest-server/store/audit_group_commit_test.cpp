#include "store/audit_group_commit.h"

#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace cw::attest::store {

namespace {

// A write function that records each batch (the events' `time`s) and can be slowed down to
// let callers pile up, or told to fail batches holding a given time.
struct FakeLog {
    std::mutex mutex;
    std::vector<std::vector<int64_t>> batches;
    std::chrono::milliseconds delay{0};
    int64_t poison = -1;

    AuditGroupCommit::WriteBatch writer() {
        return [this](std::span<const AuditEvent* const> events) -> Result<void> {
            std::this_thread::sleep_for(delay);
            std::vector<int64_t> times;
            bool fail = false;
            for (const AuditEvent* e : events) {
                times.push_back(e->time);
                fail = fail || e->time == poison;
            }
            if (fail)
                return Error::msg("disk on fire");
            std::lock_guard lock(mutex);
            batches.push_back(std::move(times));
            return {};
        };
    }
};

// `threads` threads each submit `per_thread` events with time = thread * 1000 + i, in order.
// Returns the results indexed by time.
std::map<int64_t, Result<void>> run(AuditGroupCommit& gc, int threads, int per_thread) {
    std::mutex mutex;
    std::map<int64_t, Result<void>> results;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                const int64_t time = t * 1000 + i;
                Result<void> r = gc.submit(AuditEvent{time, "t", "release", "w", "", ""});
                std::lock_guard lock(mutex);
                results.emplace(time, std::move(r));
            }
        });
    for (auto& th : pool)
        th.join();
    return results;
}

}  // namespace

TEST_CASE("group commit: a lone caller writes its own batch of one") {
    FakeLog log;
    AuditGroupCommit gc(log.writer());
    REQUIRE(gc.submit(AuditEvent{7, "admin", "register", "w", "", ""}).ok());
    REQUIRE(log.batches.size() == 1);
    CHECK(log.batches[0] == std::vector<int64_t>{7});
    CHECK(gc.batches() == 1);
}

TEST_CASE("group commit: concurrent callers share batches; each event once, per-thread order kept") {
    FakeLog log;
    log.delay = std::chrono::milliseconds(5);  // like an fsync: callers queue meanwhile
    AuditGroupCommit gc(log.writer(), 8, 16);  // small bounds so both are exercised
    const std::map<int64_t, Result<void>> results = run(gc, 32, 20);
    REQUIRE(results.size() == 640);
    for (const auto& entry : results)  // not a structured binding: clang cannot capture one
        CHECK_MESSAGE(entry.second.ok(), entry.first);

    std::map<int64_t, int> seen;
    std::map<int64_t, int64_t> last_of_thread;
    for (const std::vector<int64_t>& batch : log.batches) {
        CHECK(batch.size() <= 8);
        for (int64_t time : batch) {
            ++seen[time];
            const int64_t thread = time / 1000;
            if (last_of_thread.count(thread))
                CHECK(time > last_of_thread[thread]);
            last_of_thread[thread] = time;
        }
    }
    CHECK(seen.size() == 640);
    for (const auto& entry : seen)
        CHECK_MESSAGE(entry.second == 1, entry.first);
    CHECK(gc.batches() < 640 / 2);  // 32 callers per 5 ms write: batches are mostly full
    MESSAGE("640 events from 32 threads in ", gc.batches(), " batches (at most 8 each)");
}

TEST_CASE("group commit: a failed batch fails every caller in it, and only those") {
    FakeLog log;
    log.delay = std::chrono::milliseconds(2);
    log.poison = 5003;  // thread 5's fourth event
    AuditGroupCommit gc(log.writer());
    const std::map<int64_t, Result<void>> results = run(gc, 16, 10);
    REQUIRE(results.size() == 160);

    std::map<int64_t, int> written;
    for (const std::vector<int64_t>& batch : log.batches)
        for (int64_t time : batch)
            ++written[time];
    size_t failed = 0;
    for (const auto& [time, r] : results) {
        // ok exactly when written: no caller is told "durable" for an event that is not.
        const int64_t t = time;  // clang cannot capture a structured binding (CHECK_MESSAGE)
        CHECK_MESSAGE(r.ok() == (written.count(t) == 1), t);
        if (!r.ok()) {
            ++failed;
            CHECK(r.error().to_string() == "disk on fire");
        }
    }
    CHECK(failed >= 1);
    CHECK(results.at(5003).ok() == false);
    CHECK(written.size() + failed == 160);
    // The failure does not stick: later callers go on.
    CHECK(gc.submit(AuditEvent{99999, "t", "release", "w", "", ""}).ok());
}

}  // namespace cw::attest::store
