// The running half of the virtio console: what the device's worker thread does between
// activate() and reset() for its one port (receiveq0, transmitq0; no MULTIPORT).
//
// Transmit (guest -> host): each transmitq chain's readable bytes are copied into a
// bounded FIFO (kMaxPendingOutput) and the chain goes back to the driver at once with
// len 0 (5.3.6.2). The FIFO drains into the output fd as fast as the fd accepts it; when
// the fd would block (a full pipe), the worker waits for EPOLLOUT. Only when the FIFO is
// full does it stop taking chains: the guest then waits (Linux's hvc driver spins in
// put_chars until its buffer comes back), nothing is lost and order is kept. A chain larger
// than the FIFO's free space is held and copied in pieces as the FIFO drains. An output
// error (EPIPE: the reader went away) is logged once and output is dropped from then on.
//
// Receive (host -> guest): when the input fd is readable and the driver has made a
// receiveq buffer available, the worker read()s straight into the chain's writable
// buffers and returns it with the bytes read. With no buffers it stops watching the
// input (the fd stays readable, so a level-triggered watch would spin) until the driver
// kicks receiveq. Input epoll cannot watch (a regular file, /dev/null) is treated as
// always readable and read until EOF as buffers allow. EOF or a read error ends input for
// good; the guest just sees no more.
//
// Hostile guests: a ring pop() failure (a malformed chain) sets DEVICE_NEEDS_RESET via
// signal_needs_reset() and that queue is not used again. A transmit chain's writable
// buffers are ignored (ChainReader only sees readable ones); a receive chain's readable
// buffers likewise, and one without writable space is returned with len 0. Each event
// handles at most kMaxChainsPerRun chains before letting other events (and stop()) in.
#pragma once

#include <chrono>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "base/result.h"
#include "base/unique_fd.h"
#include "devices/virtio/console/byte_fifo.h"
#include "devices/virtio/console/input_fd.h"
#include "devices/virtio/console/output_fd.h"
#include "devices/virtio/queue/queue.h"
#include "devices/virtio/queue_events.h"
#include "devices/virtio/virtio_device.h"
#include "devices/virtio/worker/device_worker.h"

namespace cw::devices::virtio {

class ConsolePort {
public:
    // Output bytes the device holds for a slow reader before it stops taking chains.
    static constexpr size_t kMaxPendingOutput = size_t{1} << 20;
    // Chains one event handles before yielding to the other events.
    static constexpr uint32_t kMaxChainsPerRun = 256;

    struct Setup {
        vmm::GuestMemory& memory;
        Queue receive;
        Queue transmit;
        std::shared_ptr<VirtioInterrupt> interrupt;
        std::shared_ptr<const QueueEvents> queue_events;  // one per queue (2)
        OutputFd output;
        int input_fd = -1;  // borrowed; -1: no input
    };

    // Creates the worker, watches the queue events and the input, and starts it.
    [[nodiscard]] static Result<std::unique_ptr<ConsolePort>> start(Setup setup);
    // Stops and joins the worker; then restores the output fd's flags (OutputFd).
    ~ConsolePort();

    // The VM has stopped (no vCPU runs): stops the worker, then on the calling thread takes
    // every transmit chain the guest left and writes all pending output, waiting up to
    // `limit` for a slow reader. The guest's last words (a workload's final output, a
    // panic) are otherwise lost: its driver queues them and the VM may stop before the
    // worker ran. The port is inert afterwards.
    void drain_at_exit(std::chrono::milliseconds limit);
    ConsolePort(const ConsolePort&) = delete;
    ConsolePort& operator=(const ConsolePort&) = delete;

private:
    enum class InputState {
        kNone,               // no input fd
        kWatching,           // EPOLLIN watched
        kWaitingForBuffers,  // not watched until the driver kicks receiveq
        kAlwaysReadable,     // epoll cannot watch it: read on every receiveq kick
        kFinished,           // EOF, read error or broken receiveq
    };
    struct RxFill {
        size_t bytes = 0;
        InputFd::Status last = InputFd::Status::kWouldBlock;
        int error = 0;  // with kFailed
    };

    explicit ConsolePort(Setup setup);
    Result<void> watch(std::unique_ptr<DeviceWorker> worker);

    // Receive path.
    void on_receive_kick();
    void fill_receive();
    [[nodiscard]] bool take_receive_chain();
    RxFill read_into(const DescriptorChain& chain);
    void complete_receive(uint32_t len);
    void watch_input();
    void unwatch_input(InputState next);
    void open_input();

    // Transmit path.
    void run_transmit();
    [[nodiscard]] bool take_transmit_chain();
    [[nodiscard]] bool copy_transmit_chain();
    void flush_output();
    void set_output_watch(bool on);
    void drop_output(int error);

    void notify_if_needed(Queue& queue);
    void queue_broken(Queue& queue, Error why);

    vmm::GuestMemory& m_memory;
    Queue m_receive;
    Queue m_transmit;
    std::shared_ptr<VirtioInterrupt> m_interrupt;
    std::shared_ptr<const QueueEvents> m_events;
    OutputFd m_output;
    InputFd m_input;

    InputState m_input_state = InputState::kNone;
    // Input waits until the driver is connected (open_input()). Linux posts receive
    // buffers (add_port: fill_queue) before it marks the console port connected
    // (init_port_console), and discards what arrives in between: the first input of a
    // fast host would be lost. Without MULTIPORT there is no PORT_OPEN message, so the
    // port counts as open at the guest's first output or kInputOpenDelay after
    // activation, whichever comes first.
    static constexpr std::chrono::milliseconds kInputOpenDelay{250};
    bool m_input_open = false;
    UniqueFd m_open_timer;
    std::optional<DescriptorChain> m_receive_chain;  // popped, waiting for input
    std::optional<DescriptorChain> m_transmit_chain;  // popped, not all copied yet
    size_t m_transmit_copied = 0;
    ByteFifo m_pending{kMaxPendingOutput};
    bool m_output_watched = false;
    bool m_output_broken = false;

    // Its handlers use every member above: the destructor stops it before they go.
    std::unique_ptr<DeviceWorker> m_worker;
};

}  // namespace cw::devices::virtio
