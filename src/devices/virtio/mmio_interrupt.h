// The transport's side of VirtioInterrupt: InterruptStatus, ConfigGeneration and the
// device-requested DEVICE_NEEDS_RESET bit, shared between the register decoder (vCPU
// threads) and the device's worker. Lock-free apart from the reason string, so a worker
// can signal while a vCPU thread holds the transport's lock (waiting in reset() for it).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "devices/virtio/spec/virtio_mmio.h"
#include "devices/virtio/virtio_device.h"

namespace cw::devices::virtio {

class MmioInterrupt final : public VirtioInterrupt {
public:
    using Trigger = std::function<void()>;
    explicit MmioInterrupt(Trigger trigger) : m_trigger(std::move(trigger)) {}

    void signal_used_buffer() override {
        m_status.fetch_or(VIRTIO_MMIO_INT_VRING);
        trigger();
    }
    void signal_config_change() override {
        m_generation.fetch_add(1);
        m_status.fetch_or(VIRTIO_MMIO_INT_CONFIG);
        trigger();
    }
    void signal_needs_reset(const Error& why) override {
        mark_needs_reset(why);
        trigger();
    }

    // Sets DEVICE_NEEDS_RESET and the config change bit without raising the interrupt (the
    // transport raises it after releasing its lock). The first reason is kept.
    void mark_needs_reset(const Error& why) {
        {
            std::lock_guard lock(m_reason_mutex);
            if (m_reason.empty())
                m_reason = why.message().empty() ? "device needs reset" : why.message();
        }
        m_needs_reset.store(true);
        m_status.fetch_or(VIRTIO_MMIO_INT_CONFIG);
    }
    void trigger() const {
        if (m_trigger)
            m_trigger();
    }

    [[nodiscard]] uint32_t status() const { return m_status.load(); }
    void acknowledge(uint32_t bits) { m_status.fetch_and(~bits); }
    [[nodiscard]] uint32_t config_generation() const { return m_generation.load(); }
    [[nodiscard]] bool needs_reset() const { return m_needs_reset.load(); }
    [[nodiscard]] std::string needs_reset_reason() const {
        std::lock_guard lock(m_reason_mutex);
        return m_reason;
    }
    // Device reset: no pending interrupt, no error. ConfigGeneration keeps counting.
    void reset() {
        m_status.store(0);
        m_needs_reset.store(false);
        std::lock_guard lock(m_reason_mutex);
        m_reason.clear();
    }

private:
    const Trigger m_trigger;
    std::atomic<uint32_t> m_status{0};
    std::atomic<uint32_t> m_generation{0};
    std::atomic<bool> m_needs_reset{false};
    mutable std::mutex m_reason_mutex;
    std::string m_reason;
};

}  // namespace cw::devices::virtio
