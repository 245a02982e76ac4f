#include "devices/virtio/console/console_port.h"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "devices/virtio/console/console_config.h"
#include "devices/virtio/queue/chain_io.h"

namespace cw::devices::virtio {

Result<std::unique_ptr<ConsolePort>> ConsolePort::start(Setup setup) {
    if (!setup.queue_events || setup.queue_events->size() != 2)
        return Error::msg("virtio-console: activation without one event per queue");
    std::unique_ptr<ConsolePort> port(new ConsolePort(std::move(setup)));
    auto worker = CW_TRY(DeviceWorker::create("virtio-console"));
    CW_TRY(port->watch(std::move(worker)));
    return port;
}

ConsolePort::ConsolePort(Setup setup)
    : m_memory(setup.memory),
      m_receive(std::move(setup.receive)),
      m_transmit(std::move(setup.transmit)),
      m_interrupt(std::move(setup.interrupt)),
      m_events(std::move(setup.queue_events)),
      m_output(std::move(setup.output)),
      m_input(setup.input_fd) {}

ConsolePort::~ConsolePort() {
    if (m_worker)
        m_worker->stop();
}

void ConsolePort::drain_at_exit(std::chrono::milliseconds limit) {
    if (m_worker)
        m_worker->stop();
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        run_transmit();
        const bool more_chains = m_transmit_chain.has_value() || (*m_events)[kConsoleTransmitQueue].drain() > 0;
        if ((m_pending.empty() && !more_chains) || m_output_broken)
            return;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return;
        pollfd pfd{m_output.fd(), POLLOUT, 0};
        (void)::poll(&pfd, 1, static_cast<int>(std::min<int64_t>(left.count(), 100)));
    }
}

Result<void> ConsolePort::watch(std::unique_ptr<DeviceWorker> worker) {
    const EventFd& receive_kick = (*m_events)[kConsoleReceiveQueue];
    const EventFd& transmit_kick = (*m_events)[kConsoleTransmitQueue];
    CW_TRY(worker->add(receive_kick.fd(), EPOLLIN, [this, &receive_kick](uint32_t) {
        receive_kick.drain();
        on_receive_kick();
    }));
    CW_TRY(worker->add(transmit_kick.fd(), EPOLLIN, [this, &transmit_kick](uint32_t) {
        transmit_kick.drain();
        run_transmit();
    }));
    m_worker = std::move(worker);
    if (m_input.fd() >= 0) {
        m_input_state = InputState::kWaitingForBuffers;
        int timer = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        if (timer < 0)
            return Error::sys("virtio-console: timerfd_create");
        m_open_timer.reset(timer);
        itimerspec at{};
        at.it_value.tv_nsec = std::chrono::duration_cast<std::chrono::nanoseconds>(kInputOpenDelay).count();
        if (::timerfd_settime(timer, 0, &at, nullptr) != 0)
            return Error::sys("virtio-console: timerfd_settime");
        CW_TRY(m_worker->add(timer, EPOLLIN, [this](uint32_t) { open_input(); }));
    }
    CW_TRY(m_worker->start());
    // Buffers the driver made available before DRIVER_OK, and input that epoll cannot
    // announce, are handled on the worker's first turn.
    receive_kick.notify();
    transmit_kick.notify();
    return {};
}

// ---- Receive (host -> guest) ----

void ConsolePort::open_input() {
    if (m_input_open)
        return;
    m_input_open = true;
    if (m_open_timer.valid()) {
        m_worker->remove(m_open_timer.get());
        m_open_timer.reset();
    }
    (*m_events)[kConsoleReceiveQueue].notify();  // start reading on the next turn
}

void ConsolePort::on_receive_kick() {
    if (m_input_open && m_input_state == InputState::kWaitingForBuffers)
        watch_input();
    fill_receive();
}

void ConsolePort::fill_receive() {
    const bool can_read = m_input_state == InputState::kWatching || m_input_state == InputState::kAlwaysReadable;
    uint32_t chains = 0;
    while (can_read && m_input_state != InputState::kFinished && chains < kMaxChainsPerRun) {
        if (!take_receive_chain())
            break;
        if (m_receive_chain->writable_len() == 0) {
            complete_receive(0);  // nowhere to put input: give it back untouched
            ++chains;
            continue;
        }
        const RxFill fill = read_into(*m_receive_chain);
        if (fill.bytes > 0) {
            complete_receive(static_cast<uint32_t>(fill.bytes));  // <= writable_len <= UINT32_MAX
            ++chains;
        }
        if (fill.last == InputFd::Status::kEof || fill.last == InputFd::Status::kFailed) {
            if (fill.last == InputFd::Status::kFailed)
                std::fprintf(stderr, "virtio-console: input read failed: %s; input stopped\n",
                             std::strerror(fill.error));
            unwatch_input(InputState::kFinished);
        }
        if (fill.last == InputFd::Status::kWouldBlock)
            break;  // the chain (if unused) stays held for the next EPOLLIN
    }
    // Unwatched input has no EPOLLIN to bring the worker back for the rest.
    if (chains == kMaxChainsPerRun && m_input_state == InputState::kAlwaysReadable)
        (*m_events)[kConsoleReceiveQueue].notify();
    notify_if_needed(m_receive);
}

bool ConsolePort::take_receive_chain() {
    if (m_receive_chain)
        return true;
    if (m_receive.broken())
        return false;
    auto popped = m_receive.pop(m_memory);
    if (!popped.ok()) {
        unwatch_input(InputState::kFinished);
        queue_broken(m_receive, std::move(popped).error());
        return false;
    }
    if (!popped.value()) {
        // No buffers: stop watching until the driver kicks receiveq (pop() armed
        // avail_event for that kick under EVENT_IDX).
        if (m_input_state == InputState::kWatching)
            unwatch_input(InputState::kWaitingForBuffers);
        return false;
    }
    m_receive_chain = std::move(*popped.value());
    return true;
}

ConsolePort::RxFill ConsolePort::read_into(const DescriptorChain& chain) {
    ChainWriter writer(m_memory, chain);
    RxFill fill;
    while (writer.remaining() > 0) {
        auto slice = writer.next_slice(writer.remaining());
        if (!slice.ok() || slice.value().empty())
            break;  // cannot happen for a validated chain; give back what was read
        const InputFd::Outcome got = m_input.read_some(slice.value());
        fill.last = got.status;
        fill.error = got.error;
        if (got.status != InputFd::Status::kRead)
            break;
        fill.bytes += got.bytes;
        if (got.bytes < slice.value().size())
            break;  // a short read: the fd had no more for now; deliver what came
    }
    return fill;
}

void ConsolePort::complete_receive(uint32_t len) {
    const uint16_t head = m_receive_chain->head_index();
    m_receive_chain.reset();
    if (auto used = m_receive.add_used(m_memory, head, len); !used.ok())
        queue_broken(m_receive, std::move(used).error());
}

void ConsolePort::watch_input() {
    auto added = m_worker->add(m_input.fd(), EPOLLIN, [this](uint32_t) { fill_receive(); });
    if (added.ok()) {
        m_input_state = InputState::kWatching;
    } else if (added.error().sys_errno() == EPERM) {
        m_input_state = InputState::kAlwaysReadable;  // a regular file or /dev/null
    } else {
        std::fprintf(stderr, "virtio-console: cannot watch the input: %s; input stopped\n",
                     added.error().to_string().c_str());
        m_input_state = InputState::kFinished;
    }
}

void ConsolePort::unwatch_input(InputState next) {
    if (m_input_state == InputState::kWatching)
        m_worker->remove(m_input.fd());
    if (m_input_state != InputState::kNone)
        m_input_state = next;
}

// ---- Transmit (guest -> host) ----

void ConsolePort::run_transmit() {
    flush_output();
    uint32_t chains = 0;
    while (chains < kMaxChainsPerRun && take_transmit_chain()) {
        if (!copy_transmit_chain()) {
            flush_output();
            if (!copy_transmit_chain())
                break;  // the FIFO is full and the fd would block: wait for EPOLLOUT
        }
        const uint16_t head = m_transmit_chain->head_index();
        m_transmit_chain.reset();
        ++chains;
        // 5.3.6.2: the device does not write into transmit buffers.
        if (auto used = m_transmit.add_used(m_memory, head, 0); !used.ok()) {
            queue_broken(m_transmit, std::move(used).error());
            break;
        }
    }
    flush_output();
    if (chains > 0)
        open_input();  // the guest writes to its console: the port is connected
    if (chains == kMaxChainsPerRun)
        (*m_events)[kConsoleTransmitQueue].notify();  // more may wait: after the other events
    notify_if_needed(m_transmit);
}

bool ConsolePort::take_transmit_chain() {
    if (m_transmit_chain)
        return true;
    if (m_transmit.broken())
        return false;
    auto popped = m_transmit.pop(m_memory);
    if (!popped.ok()) {
        queue_broken(m_transmit, std::move(popped).error());
        return false;
    }
    if (!popped.value())
        return false;
    m_transmit_chain = std::move(*popped.value());
    m_transmit_copied = 0;
    return true;
}

// Copies what fits of the held chain's readable bytes into the FIFO; true when all are in.
bool ConsolePort::copy_transmit_chain() {
    ChainReader reader(m_memory, *m_transmit_chain);
    if (!reader.skip(m_transmit_copied).ok())
        return true;  // cannot happen: m_transmit_copied <= readable_len
    while (reader.remaining() > 0) {
        const size_t room = m_output_broken ? reader.remaining() : m_pending.free_space();
        if (room == 0)
            return false;
        auto slice = reader.next_slice(room);
        if (!slice.ok() || slice.value().empty())
            return true;
        if (!m_output_broken)
            (void)m_pending.push(slice.value());  // fits: at most free_space()
        m_transmit_copied += slice.value().size();
    }
    return true;
}

void ConsolePort::flush_output() {
    while (!m_pending.empty()) {
        const OutputFd::Outcome out = m_output.write_some(m_pending.front());
        if (out.status == OutputFd::Status::kWritten) {
            m_pending.pop(out.written);
        } else if (out.status == OutputFd::Status::kWouldBlock) {
            set_output_watch(true);
            return;
        } else {
            drop_output(out.error);
        }
    }
    set_output_watch(false);
}

void ConsolePort::set_output_watch(bool on) {
    if (on == m_output_watched)
        return;
    if (!on) {
        m_worker->remove(m_output.fd());
        m_output_watched = false;
        return;
    }
    auto added = m_worker->add(m_output.fd(), EPOLLOUT, [this](uint32_t) { run_transmit(); });
    if (!added.ok()) {
        // Only an fd epoll cannot watch, which also never reports EAGAIN: not expected.
        drop_output(added.error().sys_errno());
        return;
    }
    m_output_watched = true;
}

void ConsolePort::drop_output(int error) {
    if (!m_output_broken)
        std::fprintf(stderr, "virtio-console: output failed: %s; console output is dropped from now on\n",
                     std::strerror(error));
    m_output_broken = true;
    m_pending.clear();
}

// ---- Both ----

void ConsolePort::notify_if_needed(Queue& queue) {
    if (queue.needs_notification(m_memory))
        m_interrupt->signal_used_buffer();
}

void ConsolePort::queue_broken(Queue& queue, Error why) {
    const char* name = &queue == &m_receive ? "receiveq0" : "transmitq0";
    m_interrupt->signal_needs_reset(std::move(why).context(std::string("virtio-console: ") + name));
}

}  // namespace cw::devices::virtio
