#include "devices/virtio/testing/echo_device.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "devices/virtio/queue/chain_io.h"

namespace cw::devices::virtio::test {

void EchoDevice::ack_features(uint64_t features) {
    std::lock_guard lock(m_mutex);
    m_acked = features;
}

void EchoDevice::read_config(uint64_t offset, std::span<uint8_t> data) {
    std::lock_guard lock(m_mutex);
    std::array<uint8_t, kConfigSize> config{};
    std::memcpy(config.data() + kConfigChains, &m_chains, sizeof m_chains);
    std::memcpy(config.data() + kConfigScratch, &m_scratch, sizeof m_scratch);
    read_config_bytes(config, offset, data);
}

void EchoDevice::write_config(uint64_t offset, std::span<const uint8_t> data) {
    std::lock_guard lock(m_mutex);
    std::array<uint8_t, kConfigSize> config{};
    std::memcpy(config.data() + kConfigScratch, &m_scratch, sizeof m_scratch);
    write_config_bytes(config, offset, data);
    std::memcpy(&m_scratch, config.data() + kConfigScratch, sizeof m_scratch);  // chains stays read-only
}

Result<void> EchoDevice::activate(ActivationContext context) {
    std::lock_guard lock(m_mutex);
    if (m_fail_activation) {
        m_fail_activation = false;
        return Error::msg("echo: activation failure injected");
    }
    if (context.queues.size() != 1 || !context.queues[0])
        return Error::msg("echo: queue 0 is not ready");
    m_memory = &context.memory;
    m_queue = std::move(context.queues[0]);
    m_interrupt = std::move(context.interrupt);
    return {};
}

void EchoDevice::reset() {
    std::lock_guard lock(m_mutex);
    m_memory = nullptr;
    m_queue.reset();
    m_interrupt.reset();
    m_acked = 0;
    m_chains = 0;
    m_scratch = 0;
    ++m_resets;
}

void EchoDevice::process_queue(uint16_t index) {
    // The interrupt is signalled after the device's lock is released.
    std::shared_ptr<VirtioInterrupt> interrupt;
    std::optional<Error> broken;
    bool notify = false;
    {
        std::lock_guard lock(m_mutex);
        if (index != 0 || !m_queue || m_queue->broken())
            return;
        interrupt = m_interrupt;
        for (uint32_t n = 0; n < kMaxChainsPerCall; ++n) {
            auto chain = m_queue->pop(*m_memory);
            if (!chain.ok()) {
                broken = std::move(chain).error();
                break;
            }
            if (!chain.value())
                break;
            echo_one(*chain.value());
        }
        notify = m_queue->needs_notification(*m_memory);
    }
    if (notify)
        interrupt->signal_used_buffer();
    if (broken)
        interrupt->signal_needs_reset(*broken);
}

void EchoDevice::echo_one(const DescriptorChain& chain) {
    ChainReader reader(*m_memory, chain);
    ChainWriter writer(*m_memory, chain);
    std::array<std::byte, 512> bounce;
    bool ok = true;
    while (ok && reader.remaining() > 0 && writer.remaining() > 0) {
        const size_t n = std::min({bounce.size(), reader.remaining(), writer.remaining()});
        ok = reader.read(std::span(bounce).first(n)).ok() && writer.write(std::span(bounce).first(n)).ok();
    }
    // consumed() <= writable_len <= UINT32_MAX (the chain proved it).
    if (m_queue->add_used(*m_memory, chain.head_index(), static_cast<uint32_t>(writer.consumed())).ok())
        ++m_chains;
}

void EchoDevice::change_config(uint32_t scratch) {
    std::shared_ptr<VirtioInterrupt> interrupt;
    {
        std::lock_guard lock(m_mutex);
        m_scratch = scratch;
        interrupt = m_interrupt;
    }
    if (interrupt)
        interrupt->signal_config_change();
}

uint64_t EchoDevice::acked_features() const {
    std::lock_guard lock(m_mutex);
    return m_acked;
}

bool EchoDevice::active() const {
    std::lock_guard lock(m_mutex);
    return m_queue.has_value();
}

uint32_t EchoDevice::chains_echoed() const {
    std::lock_guard lock(m_mutex);
    return m_chains;
}

uint32_t EchoDevice::resets() const {
    std::lock_guard lock(m_mutex);
    return m_resets;
}

void EchoDevice::fail_next_activation() {
    std::lock_guard lock(m_mutex);
    m_fail_activation = true;
}

}  // namespace cw::devices::virtio::test
