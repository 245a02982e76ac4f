#include "devices/virtio/worker/device_worker.h"

#include <pthread.h>

#include <array>
#include <cerrno>
#include <cstdio>

namespace cw::devices::virtio {

namespace {
constexpr uint64_t kWakeToken = 0;
constexpr int kMaxEventsPerWait = 16;
}  // namespace

Result<std::unique_ptr<DeviceWorker>> DeviceWorker::create(std::string name) {
    int epoll = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll < 0)
        return Error::sys(name + ": epoll_create1");
    UniqueFd epoll_fd(epoll);
    auto wake = CW_TRY(EventFd::create().context(name + ": wake eventfd"));
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kWakeToken;
    if (::epoll_ctl(epoll, EPOLL_CTL_ADD, wake.fd(), &ev) != 0)
        return Error::sys(name + ": epoll_ctl add wake eventfd");
    return std::unique_ptr<DeviceWorker>(new DeviceWorker(std::move(name), std::move(epoll_fd), std::move(wake)));
}

DeviceWorker::~DeviceWorker() { stop(); }

Result<void> DeviceWorker::add(int fd, uint32_t events, Handler handler) {
    if (m_token_of_fd.contains(fd))
        return Error::msg(m_name + ": fd " + std::to_string(fd) + " is already watched");
    const uint64_t token = m_next_token++;
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = token;
    if (::epoll_ctl(m_epoll.get(), EPOLL_CTL_ADD, fd, &ev) != 0)
        return Error::sys(m_name + ": epoll_ctl add fd " + std::to_string(fd));
    m_watches.emplace(token, Watch{fd, std::make_shared<Handler>(std::move(handler))});
    m_token_of_fd.emplace(fd, token);
    return {};
}

Result<void> DeviceWorker::modify(int fd, uint32_t events) {
    auto it = m_token_of_fd.find(fd);
    if (it == m_token_of_fd.end())
        return Error::msg(m_name + ": fd " + std::to_string(fd) + " is not watched");
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = it->second;
    if (::epoll_ctl(m_epoll.get(), EPOLL_CTL_MOD, fd, &ev) != 0)
        return Error::sys(m_name + ": epoll_ctl modify fd " + std::to_string(fd));
    return {};
}

void DeviceWorker::remove(int fd) {
    auto it = m_token_of_fd.find(fd);
    if (it == m_token_of_fd.end())
        return;
    // Fails only when the fd was already closed, which removed it from the epoll set.
    (void)::epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, fd, nullptr);
    m_watches.erase(it->second);
    m_token_of_fd.erase(it);
}

Result<void> DeviceWorker::start() {
    if (m_thread.joinable())
        return Error::msg(m_name + ": worker already started");
    m_stopping.store(false);
    try {
        m_thread = std::thread([this] { loop(); });
    } catch (const std::system_error& e) {
        return Error::msg(m_name + ": cannot start the worker thread: " + e.what());
    }
    std::string thread_name = m_name.substr(0, 15);
    ::pthread_setname_np(m_thread.native_handle(), thread_name.c_str());
    return {};
}

void DeviceWorker::stop() {
    if (!m_thread.joinable())
        return;
    m_stopping.store(true);
    m_wake.notify();
    m_thread.join();
}

void DeviceWorker::loop() {
    std::array<epoll_event, kMaxEventsPerWait> events{};
    while (!m_stopping.load()) {
        int n = ::epoll_wait(m_epoll.get(), events.data(), kMaxEventsPerWait, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            // Only a bad epoll fd makes epoll_wait fail: a bug, not guest input. Stop
            // serving rather than spin.
            std::fprintf(stderr, "%s: epoll_wait failed: errno %d; device stopped\n", m_name.c_str(), errno);
            return;
        }
        for (int i = 0; i < n && !m_stopping.load(); ++i) {
            const uint64_t token = events[static_cast<size_t>(i)].data.u64;
            if (token == kWakeToken) {
                m_wake.drain();
                continue;
            }
            auto it = m_watches.find(token);
            if (it == m_watches.end())
                continue;  // removed by an earlier handler in this batch
            auto handler = it->second.handler;  // keeps it alive if it removes its own watch
            (*handler)(events[static_cast<size_t>(i)].events);
        }
    }
}

}  // namespace cw::devices::virtio
