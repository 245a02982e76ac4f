#include "devices/virtio/console/console.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include "devices/virtio/spec/virtio_config.h"

namespace cw::devices::virtio {

namespace {

// The terminal's size, when `fd` is one.
std::optional<winsize> terminal_size(int fd) {
    winsize size{};
    if (fd < 0 || ::isatty(fd) == 0 || ::ioctl(fd, TIOCGWINSZ, &size) != 0)
        return std::nullopt;
    return size;
}

Result<void> check_open(int fd, const char* what) {
    if (::fcntl(fd, F_GETFD) < 0)
        return Error::sys(std::string("virtio-console: ") + what + " fd " + std::to_string(fd));
    return {};
}

}  // namespace

Result<std::shared_ptr<Console>> Console::create(int input_fd, int output_fd) {
    if (input_fd >= 0)
        CW_TRY(check_open(input_fd, "input"));
    CW_TRY(check_open(output_fd, "output"));
    VirtioConsoleConfig config{};
    config.max_nr_ports = 1;  // meaningful only with MULTIPORT; the truth either way
    uint64_t offered = 0;
    if (const auto size = terminal_size(input_fd)) {
        offered |= feature_bit(VIRTIO_CONSOLE_F_SIZE);
        config.cols = size->ws_col;
        config.rows = size->ws_row;
    }
    return std::shared_ptr<Console>(new Console(input_fd, output_fd, offered, config));
}

Console::~Console() { reset(); }

uint32_t Console::device_type() const { return VIRTIO_ID_CONSOLE; }

void Console::ack_features(uint64_t features) {
    std::lock_guard lock(m_mutex);
    m_acked = features;
}

void Console::read_config(uint64_t offset, std::span<uint8_t> data) {
    std::lock_guard lock(m_mutex);
    std::array<uint8_t, sizeof(VirtioConsoleConfig)> bytes{};
    std::memcpy(bytes.data(), &m_config, sizeof m_config);
    read_config_bytes(bytes, offset, data);
}

void Console::write_config(uint64_t, std::span<const uint8_t>) {
    // cols, rows and max_nr_ports are read-only; emerg_wr is not offered (5.3.4).
}

Result<void> Console::activate(ActivationContext context) {
    std::lock_guard lock(m_mutex);
    if (m_port)
        return Error::msg("virtio-console: already active");
    if (context.queues.size() != 2 || !context.queues[kConsoleReceiveQueue] || !context.queues[kConsoleTransmitQueue])
        return Error::msg("virtio-console: receiveq0 and transmitq0 must both be ready");
    auto output = CW_TRY(OutputFd::open(m_output_fd).context("virtio-console"));
    ConsolePort::Setup setup{
        .memory = context.memory,
        .receive = std::move(*context.queues[kConsoleReceiveQueue]),
        .transmit = std::move(*context.queues[kConsoleTransmitQueue]),
        .interrupt = context.interrupt,
        .queue_events = std::move(context.queue_events),
        .output = std::move(output),
        .input_fd = m_input_fd,
    };
    m_port = CW_TRY(ConsolePort::start(std::move(setup)));
    m_interrupt = std::move(context.interrupt);
    return {};
}

void Console::drain_at_exit(std::chrono::milliseconds limit) {
    std::lock_guard lock(m_mutex);
    if (m_port)
        m_port->drain_at_exit(limit);
}

void Console::reset() {
    std::lock_guard lock(m_mutex);
    m_port.reset();  // joins the worker and restores the output fd's flags
    m_interrupt.reset();
    m_acked = 0;
}

void Console::resize(uint16_t cols, uint16_t rows) {
    if ((m_offered & feature_bit(VIRTIO_CONSOLE_F_SIZE)) == 0)
        return;
    std::shared_ptr<VirtioInterrupt> interrupt;
    {
        std::lock_guard lock(m_mutex);
        m_config.cols = cols;
        m_config.rows = rows;
        if ((m_acked & feature_bit(VIRTIO_CONSOLE_F_SIZE)) != 0)
            interrupt = m_interrupt;
    }
    if (interrupt)
        interrupt->signal_config_change();
}

bool Console::active() const {
    std::lock_guard lock(m_mutex);
    return m_port != nullptr;
}

}  // namespace cw::devices::virtio
