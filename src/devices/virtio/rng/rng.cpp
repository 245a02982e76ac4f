#include "devices/virtio/rng/rng.h"

#include <sys/random.h>

#include <cerrno>

#include "devices/virtio/queue/chain_io.h"
#include "devices/virtio/spec/virtio_config.h"

namespace cw::devices::virtio {

Rng::~Rng() { reset(); }

uint32_t Rng::device_type() const { return VIRTIO_ID_RNG; }

Result<void> Rng::activate(ActivationContext context) {
    std::lock_guard lock(m_mutex);
    if (context.queues.size() != 1 || !context.queues[0])
        return Error::msg("virtio-rng: the request queue is not ready");
    if (!context.queue_events)
        return Error::msg("virtio-rng: no queue eventfd");
    m_memory = &context.memory;
    m_queue = std::move(context.queues[0]);
    m_interrupt = std::move(context.interrupt);
    m_events = std::move(context.queue_events);
    auto worker = CW_TRY(DeviceWorker::create("virtio-rng"));
    CW_TRY(worker->add((*m_events)[0].fd(), EPOLLIN, [this](uint32_t) {
        (*m_events)[0].drain();
        process_queue();
    }));
    CW_TRY(worker->start());
    m_worker = std::move(worker);
    // Buffers the driver made available before DRIVER_OK were never notified.
    (*m_events)[0].notify();
    return {};
}

void Rng::reset() {
    std::lock_guard lock(m_mutex);
    if (m_worker)
        m_worker->stop();
    m_worker.reset();
    m_queue.reset();
    m_interrupt.reset();
    m_events.reset();
    m_memory = nullptr;
}

void Rng::process_queue() {
    if (!m_queue || m_queue->broken())
        return;
    for (uint32_t n = 0; n < kMaxChainsPerWake; ++n) {
        auto chain = m_queue->pop(*m_memory);
        if (!chain.ok()) {
            m_interrupt->signal_needs_reset(chain.error());
            return;
        }
        if (!chain.value())
            break;
        auto written = fill(*chain.value());
        uint32_t len = written.ok() ? written.value() : 0;
        if (!m_queue->add_used(*m_memory, chain.value()->head_index(), len).ok())
            break;
        if (n + 1 == kMaxChainsPerWake)
            (*m_events)[0].notify();  // more may be waiting: come back after other events
    }
    if (m_queue->needs_notification(*m_memory))
        m_interrupt->signal_used_buffer();
}

// Writes random bytes straight into the chain's writable buffers.
Result<uint32_t> Rng::fill(const DescriptorChain& chain) {
    ChainWriter writer(*m_memory, chain);
    size_t budget = kMaxBytesPerChain;
    while (budget > 0) {
        auto slice = CW_TRY(writer.next_slice(budget));
        if (slice.empty())
            break;
        size_t done = 0;
        while (done < slice.size()) {
            ssize_t got = ::getrandom(slice.data() + done, slice.size() - done, 0);
            if (got < 0) {
                if (errno == EINTR)
                    continue;
                return Error::sys("virtio-rng: getrandom");
            }
            done += static_cast<size_t>(got);
        }
        budget -= slice.size();
    }
    return static_cast<uint32_t>(writer.consumed());
}

}  // namespace cw::devices::virtio
