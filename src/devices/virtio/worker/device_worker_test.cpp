#include "devices/virtio/worker/device_worker.h"

#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "devices/virtio/testing/eventually.h"

namespace cw::devices::virtio {

namespace {

using test::eventually;

template <class T>
T must(Result<T> r) {
    REQUIRE_MESSAGE(r.ok(), r.error().message());
    return std::move(r).value();
}

}  // namespace

TEST_CASE("a worker runs handlers on its own thread and stops with a join") {
    auto worker = must(DeviceWorker::create("test-worker"));
    auto ev = must(EventFd::create());
    std::atomic<int> calls{0};
    std::atomic<std::thread::id> ran_on{};
    REQUIRE(worker->add(ev.fd(), EPOLLIN, [&](uint32_t events) {
                      CHECK((events & EPOLLIN) != 0);
                      ev.drain();
                      ran_on = std::this_thread::get_id();
                      ++calls;
                  }).ok());
    REQUIRE(worker->start().ok());
    CHECK(worker->running());
    ev.notify();
    CHECK(eventually([&] { return calls.load() == 1; }));
    CHECK(ran_on.load() != std::this_thread::get_id());
    worker->stop();
    CHECK_FALSE(worker->running());
    ev.notify();  // nobody runs it any more
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(calls.load() == 1);
    worker->stop();  // idempotent
}

TEST_CASE("a handler may remove its own watch and another's") {
    auto worker = must(DeviceWorker::create("test-remove"));
    auto a = must(EventFd::create());
    auto b = must(EventFd::create());
    std::atomic<int> a_calls{0};
    std::atomic<int> b_calls{0};
    REQUIRE(worker->add(a.fd(), EPOLLIN, [&](uint32_t) {
                      ++a_calls;
                      worker->remove(a.fd());
                      worker->remove(b.fd());
                  }).ok());
    REQUIRE(worker->add(b.fd(), EPOLLIN, [&](uint32_t) { ++b_calls; b.drain(); }).ok());
    a.notify();
    b.notify();  // both ready in the first batch; whichever runs first, b must not run after a
    REQUIRE(worker->start().ok());
    CHECK(eventually([&] { return a_calls.load() == 1; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(a_calls.load() == 1);  // level-triggered fd left undrained: removal stopped it
    CHECK(b_calls.load() <= 1);
    worker->stop();
}

TEST_CASE("a watch is refused twice for one fd and modify needs a watch") {
    auto worker = must(DeviceWorker::create("test-refuse"));
    auto ev = must(EventFd::create());
    REQUIRE(worker->add(ev.fd(), EPOLLIN, [](uint32_t) {}).ok());
    auto again = worker->add(ev.fd(), EPOLLIN, [](uint32_t) {});
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().message().find("already watched") != std::string::npos);
    CHECK(worker->modify(ev.fd(), EPOLLIN | EPOLLOUT).ok());
    worker->remove(ev.fd());
    CHECK_FALSE(worker->modify(ev.fd(), EPOLLIN).ok());
    CHECK_FALSE(worker->add(-1, EPOLLIN, [](uint32_t) {}).ok());
}

TEST_CASE("stop wakes a worker blocked with nothing to do") {
    auto worker = must(DeviceWorker::create("test-idle"));
    REQUIRE(worker->start().ok());
    CHECK_FALSE(worker->start().ok());
    auto t0 = std::chrono::steady_clock::now();
    worker->stop();
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
}

}  // namespace cw::devices::virtio
