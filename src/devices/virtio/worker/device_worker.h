// The thread a virtio device does its I/O on: an epoll loop over the device's file
// descriptors (queue eventfds, the backing file's events, sockets, the host terminal).
// Device I/O never runs on a vCPU thread, so a slow disk or socket never stalls the guest's
// CPUs and a vCPU never blocks on a device lock while I/O runs.
//
// Life cycle, as the VirtioDevice contract (virtio_device.h) needs it: activate() creates
// a worker, adds the fds, start()s it; reset() calls stop(), which wakes the loop, joins
// the thread and returns only when no handler runs any more.
//
// Handlers run on the worker thread, one at a time. add(), modify() and remove() may be
// called before start() or from a handler (the worker thread); stop() from any other
// thread. A handler that removes an fd (its own or another) never sees a stale event for
// it later in the same batch.
#pragma once

#include <sys/epoll.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "base/event_fd.h"
#include "base/result.h"
#include "base/unique_fd.h"

namespace cw::devices::virtio {

class DeviceWorker {
public:
    // `events` is the EPOLL* mask that fired.
    using Handler = std::function<void(uint32_t events)>;

    // `name` names the thread (at most 15 characters are kept) and prefixes its errors.
    [[nodiscard]] static Result<std::unique_ptr<DeviceWorker>> create(std::string name);
    ~DeviceWorker();
    DeviceWorker(const DeviceWorker&) = delete;
    DeviceWorker& operator=(const DeviceWorker&) = delete;

    // Watches `fd` for `events` (EPOLLIN, EPOLLOUT, ...; level-triggered unless EPOLLET).
    // The fd stays owned by the caller and must stay open until removed or stopped.
    [[nodiscard]] Result<void> add(int fd, uint32_t events, Handler handler);
    [[nodiscard]] Result<void> modify(int fd, uint32_t events);
    void remove(int fd);

    [[nodiscard]] Result<void> start();
    // Wakes the loop and joins the thread; idempotent. Not from a handler.
    void stop();
    [[nodiscard]] bool running() const { return m_thread.joinable(); }

private:
    DeviceWorker(std::string name, UniqueFd epoll, EventFd wake)
        : m_name(std::move(name)), m_epoll(std::move(epoll)), m_wake(std::move(wake)) {}
    void loop();

    struct Watch {
        int fd;
        std::shared_ptr<Handler> handler;  // shared: a handler may remove its own watch
    };
    const std::string m_name;
    UniqueFd m_epoll;
    EventFd m_wake;
    std::atomic<bool> m_stopping{false};
    // Keyed by a token that is never reused, so an event for a removed fd (or for a new
    // fd that reuses its number) is recognised as stale.
    std::map<uint64_t, Watch> m_watches;
    std::map<int, uint64_t> m_token_of_fd;
    uint64_t m_next_token = 1;  // 0 is the wake eventfd
    std::thread m_thread;
};

}  // namespace cw::devices::virtio
