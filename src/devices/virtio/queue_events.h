// One eventfd per virtqueue: how a queue notification (the driver's write to QueueNotify)
// reaches the device's worker thread. The VMM registers each as a KVM ioeventfd on the
// QueueNotify register with the queue index as datamatch, so a notification costs no exit
// to user space; the transport's MMIO path (no ioeventfd, unit tests) notifies the same fd.
#pragma once

#include <cstddef>
#include <vector>

#include "base/event_fd.h"
#include "base/result.h"

namespace cw::devices::virtio {

class QueueEvents {
public:
    [[nodiscard]] static Result<QueueEvents> create(size_t queue_count) {
        QueueEvents events;
        for (size_t i = 0; i < queue_count; ++i)
            events.m_fds.push_back(CW_TRY(EventFd::create().context("queue " + std::to_string(i) + " eventfd")));
        return events;
    }

    [[nodiscard]] size_t size() const { return m_fds.size(); }
    [[nodiscard]] const EventFd& operator[](size_t queue) const { return m_fds.at(queue); }
    // Index out of range is ignored: the transport only forwards valid queue indexes.
    void notify(size_t queue) const {
        if (queue < m_fds.size())
            m_fds[queue].notify();
    }

private:
    QueueEvents() = default;
    std::vector<EventFd> m_fds;
};

}  // namespace cw::devices::virtio
