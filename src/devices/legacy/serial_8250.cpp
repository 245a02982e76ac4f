#include "devices/legacy/serial_8250.h"

#include <utility>

#include "devices/legacy/byte_lanes.h"
#include "devices/legacy/fd_output.h"
#include "devices/legacy/serial_8250_regs.h"

namespace cw::devices {

using namespace uart;

namespace {

// Modem inputs outside loopback: a terminal that is present and ready, as QEMU and
// Firecracker present it, so nothing in the guest waits for carrier.
constexpr uint8_t kMsrConnected = kMsrDcd | kMsrDsr | kMsrCts;

}  // namespace

Serial8250::Serial8250(OutputSink sink, InterruptTrigger trigger)
    : m_sink(std::move(sink)), m_trigger(std::move(trigger)) {}

Serial8250::Serial8250(int output_fd, InterruptTrigger trigger)
    : Serial8250([output_fd](std::span<const uint8_t> bytes) { write_all_to_fd(output_fd, bytes); },
                 std::move(trigger)) {}

void Serial8250::read(uint64_t offset, std::span<uint8_t> data) {
    bool rising = false;
    {
        std::lock_guard lock(m_mutex);
        for (size_t i = 0; i < data.size(); ++i) {
            auto reg = byte_lane(offset, i, kRegisterCount);
            data[i] = reg ? read_register(*reg) : 0;
            rising |= update_interrupt_line();
        }
    }
    trigger_if(rising);
}

void Serial8250::write(uint64_t offset, std::span<const uint8_t> data) {
    bool rising = false;
    {
        std::lock_guard lock(m_mutex);
        for (size_t i = 0; i < data.size(); ++i) {
            if (auto reg = byte_lane(offset, i, kRegisterCount))
                write_register(*reg, data[i]);
            rising |= update_interrupt_line();
        }
    }
    trigger_if(rising);
}

void Serial8250::enqueue_input(std::span<const uint8_t> bytes) {
    bool rising = false;
    {
        std::lock_guard lock(m_mutex);
        for (uint8_t b : bytes)
            receive(b);
        rising = update_interrupt_line();
    }
    trigger_if(rising);
}

void Serial8250::flush() {
    std::lock_guard lock(m_mutex);
    flush_output();
}

uint64_t Serial8250::dropped_input_bytes() const {
    std::lock_guard lock(m_mutex);
    return m_rx_dropped;
}

uint8_t Serial8250::read_register(uint64_t reg) {
    const bool dlab = (m_lcr & kLcrDlab) != 0;
    switch (reg) {
    case kRbr:
        return dlab ? m_dll : pop_received();
    case kIer:
        return dlab ? m_dlm : m_ier;
    case kIir:
        return read_iir();
    case kLcr:
        return m_lcr;
    case kMcr:
        return m_mcr;
    case kLsr:
        return read_lsr();
    case kMsr:
        return modem_status();
    case kScr:
        return m_scr;
    default:
        return 0;
    }
}

void Serial8250::write_register(uint64_t reg, uint8_t value) {
    const bool dlab = (m_lcr & kLcrDlab) != 0;
    switch (reg) {
    case kThr:
        if (dlab)
            m_dll = value;
        else
            transmit(value);
        break;
    case kIer:
        if (dlab)
            m_dlm = value;
        else
            write_ier(value);
        break;
    case kFcr:
        write_fcr(value);
        break;
    case kLcr:
        m_lcr = value;
        break;
    case kMcr:
        m_mcr = value & kMcrMask;
        break;
    case kScr:
        m_scr = value;
        break;
    default:
        break;  // LSR and MSR are read-only (LSR writes are the datasheet's factory test)
    }
}

uint8_t Serial8250::read_iir() {
    const uint8_t id = pending_interrupt();
    // Reading IIR is how a driver acknowledges THRE; the other sources clear only when
    // their cause goes (RBR drained, LSR read).
    if (id == kIirThre)
        m_thre_pending = false;
    return m_fifo_enabled ? static_cast<uint8_t>(id | kIirFifosEnabled) : id;
}

uint8_t Serial8250::read_lsr() {
    uint8_t lsr = kLsrThre | kLsrTemt;
    if (m_rx_count > 0)
        lsr |= kLsrDr;
    if (m_overrun)
        lsr |= kLsrOe;
    m_overrun = false;
    return lsr;
}

uint8_t Serial8250::modem_status() const {
    if ((m_mcr & kMcrLoop) == 0)
        return kMsrConnected;
    // Loopback wires the modem outputs to the inputs: DTR->DSR, RTS->CTS, OUT1->RI,
    // OUT2->DCD. Linux's autoconfig sets LOOP|OUT2|RTS and expects exactly DCD|CTS.
    uint8_t msr = 0;
    if ((m_mcr & kMcrDtr) != 0)
        msr |= kMsrDsr;
    if ((m_mcr & kMcrRts) != 0)
        msr |= kMsrCts;
    if ((m_mcr & kMcrOut1) != 0)
        msr |= kMsrRi;
    if ((m_mcr & kMcrOut2) != 0)
        msr |= kMsrDcd;
    return msr;
}

void Serial8250::write_ier(uint8_t value) {
    const bool was_enabled = (m_ier & kIerEtbei) != 0;
    m_ier = value & kIerMask;
    const bool enabled = (m_ier & kIerEtbei) != 0;
    // Enabling ETBEI while THR is empty (always, here) raises THRE at once, even after an
    // IIR read acknowledged it: Linux's startup checks this (UART_BUG_THRE).
    if (enabled && !was_enabled)
        m_thre_pending = true;
    // Linux clears ETBEI when it has nothing left to send (stop_tx): the moment to show
    // a partial line such as a shell prompt.
    if (was_enabled && !enabled)
        flush_output();
}

void Serial8250::write_fcr(uint8_t value) {
    const bool enable = (value & kFcrFifoEnable) != 0;
    // Switching FIFO mode resets the FIFOs; the reset bits act only with FCR0 set.
    if (enable != m_fifo_enabled || (enable && (value & kFcrRcvrFifoReset) != 0)) {
        m_rx_head = 0;
        m_rx_count = 0;
    }
    m_fifo_enabled = enable;
}

void Serial8250::transmit(uint8_t byte) {
    m_thre_pending = true;  // the byte leaves at once and THR is empty again
    if ((m_mcr & kMcrLoop) != 0) {
        receive(byte);  // loopback: the transmitter feeds the receiver, nothing goes out
        return;
    }
    m_out[m_out_len++] = byte;
    if (byte == '\n' || m_out_len == m_out.size())
        flush_output();
}

void Serial8250::receive(uint8_t byte) {
    if (m_rx_count == m_rx.size()) {
        ++m_rx_dropped;
        m_overrun = true;
        return;
    }
    m_rx[(m_rx_head + m_rx_count) % m_rx.size()] = byte;
    ++m_rx_count;
}

uint8_t Serial8250::pop_received() {
    if (m_rx_count == 0)
        return 0;
    const uint8_t byte = m_rx[m_rx_head];
    m_rx_head = (m_rx_head + 1) % m_rx.size();
    --m_rx_count;
    return byte;
}

void Serial8250::flush_output() {
    if (m_out_len > 0 && m_sink)
        m_sink(std::span<const uint8_t>(m_out.data(), m_out_len));
    m_out_len = 0;
}

uint8_t Serial8250::pending_interrupt() const {
    if ((m_ier & kIerElsi) != 0 && m_overrun)
        return kIirRls;
    if ((m_ier & kIerErbfi) != 0 && m_rx_count > 0)
        return kIirRda;
    if ((m_ier & kIerEtbei) != 0 && m_thre_pending)
        return kIirThre;
    return kIirNoInterrupt;  // modem status never changes, so never interrupts
}

bool Serial8250::update_interrupt_line() {
    const bool high = pending_interrupt() != kIirNoInterrupt;
    const bool rising = high && !m_line_high;
    m_line_high = high;
    return rising;
}

void Serial8250::trigger_if(bool rising) {
    if (rising && m_trigger)
        m_trigger();
}

}  // namespace cw::devices
