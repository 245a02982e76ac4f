// virtio-console (VIRTIO 1.2, 5.3), device type 3: one port and no MULTIPORT, so two
// queues, receiveq0 (host -> guest) and transmitq0 (guest -> host). The guest uses it as
// hvc0 and as its kernel console (console=hvc0).
//
// The host side is two borrowed fds: output (the guest's console output goes there) and
// input (-1 for none). How the bytes move, back-pressure and error handling are in
// console_port.h; the fd flag policy in output_fd.h and input_fd.h.
//
// VIRTIO_CONSOLE_F_SIZE is offered when the input is a terminal: cols and rows start from
// its TIOCGWINSZ, and the VMM calls resize() on SIGWINCH (raises a config change interrupt
// while the driver runs with the feature). Config space is read-only for the driver
// (emerg_wr needs VIRTIO_CONSOLE_F_EMERG_WRITE, which is not offered).
//
// Threading: the VirtioDevice methods come from the transport (a vCPU thread, with the
// transport's lock held); resize() from any thread. One mutex guards the config and the
// activation state; the worker never takes it, so reset() may join the worker holding it.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>

#include "base/result.h"
#include "devices/virtio/console/console_config.h"
#include "devices/virtio/console/console_port.h"
#include "devices/virtio/virtio_device.h"

namespace cw::devices::virtio {

class Console final : public VirtioDevice {
public:
    static constexpr uint16_t kQueueMaxSize = 256;

    // `input_fd` (or -1) and `output_fd` are borrowed: they must stay open while the
    // console exists and are never closed by it.
    [[nodiscard]] static Result<std::shared_ptr<Console>> create(int input_fd, int output_fd);
    ~Console() override;
    Console(const Console&) = delete;
    Console& operator=(const Console&) = delete;

    [[nodiscard]] uint32_t device_type() const override;
    [[nodiscard]] std::span<const uint16_t> queue_max_sizes() const override { return m_max_sizes; }
    [[nodiscard]] uint64_t device_features() const override { return m_offered; }
    void ack_features(uint64_t features) override;
    void read_config(uint64_t offset, std::span<uint8_t> data) override;
    void write_config(uint64_t offset, std::span<const uint8_t> data) override;
    [[nodiscard]] Result<void> activate(ActivationContext context) override;
    void reset() override;

    // The host terminal's new size (the VMM's SIGWINCH handling, outside the signal
    // handler): updates cols and rows, and signals a config change when the driver
    // negotiated VIRTIO_CONSOLE_F_SIZE. Ignored when the feature is not offered.
    void resize(uint16_t cols, uint16_t rows);

    [[nodiscard]] bool active() const;

    // After the vCPUs stopped: writes out what the guest left (ConsolePort::drain_at_exit).
    void drain_at_exit(std::chrono::milliseconds limit) override;

private:
    Console(int input_fd, int output_fd, uint64_t offered, VirtioConsoleConfig config)
        : m_input_fd(input_fd), m_output_fd(output_fd), m_offered(offered), m_config(config) {}

    const std::array<uint16_t, 2> m_max_sizes{kQueueMaxSize, kQueueMaxSize};
    const int m_input_fd;
    const int m_output_fd;
    const uint64_t m_offered;

    mutable std::mutex m_mutex;
    VirtioConsoleConfig m_config;
    uint64_t m_acked = 0;
    std::shared_ptr<VirtioInterrupt> m_interrupt;  // while active, for resize()
    std::unique_ptr<ConsolePort> m_port;           // while active
};

}  // namespace cw::devices::virtio
