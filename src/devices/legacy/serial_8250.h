// A 16550A UART as Linux's 8250 driver probes and drives it: the guest console on COM1.
// Autoconfig finds a 16550A (IER probe, loopback test, FIFO bits in IIR, no EFR, no
// 64-byte FIFO, IER bits 4-7 stuck at 0) and the startup THRE tests pass.
//
// Model: the transmitter is infinitely fast, so THR and the shift register are always
// empty and LSR always shows THRE|TEMT. Received bytes wait in a bounded FIFO; data
// available raises the interrupt at once (trigger level 1: FCR trigger bits are ignored,
// so there is no character timeout). A byte arriving with the FIFO full is dropped,
// counted and flagged as an overrun (LSR.OE, and the line-status interrupt if enabled).
// Modem inputs show a connected terminal (DCD, DSR, CTS); in loopback they follow MCR.
//
// Output is buffered and handed to the sink at a newline, when the buffer fills, when the
// driver clears IER.ETBEI (Linux's stop_tx: nothing left to send, so prompts without a
// newline appear at once), and on flush(). The VMM calls flush() when the VM stops.
//
// Interrupts: the device tracks its interrupt line (high while IIR reports a pending,
// enabled interrupt) and calls the trigger on each rising edge, the behaviour of an
// edge-triggered ISA IRQ (the VMM wires it to an irqfd).
//
// Accesses wider than a byte are split into byte accesses at consecutive offsets
// (byte_lanes.h). Threading: one mutex guards all state. The sink runs with it held, so
// output from several vCPUs stays in order; a sink must not call back into the device, and
// a sink that blocks holds up the other vCPUs' serial accesses (a UART's natural
// back-pressure). The trigger runs after the mutex is released and may be called from
// any vCPU thread or the input thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>

#include "vmm/bus/bus_device.h"

namespace cw::devices {

class Serial8250 final : public vmm::BusDevice {
public:
    using OutputSink = std::function<void(std::span<const uint8_t>)>;
    using InterruptTrigger = std::function<void()>;

    // Bytes the receive FIFO holds; more input is dropped (never grows).
    static constexpr size_t kRxFifoCapacity = 64;
    // Output bytes buffered before the sink is called regardless of newlines.
    static constexpr size_t kOutputBufferSize = 256;

    Serial8250(OutputSink sink, InterruptTrigger trigger);
    // Output written to `output_fd` (not owned, e.g. STDOUT_FILENO) by write_all_to_fd
    // (fd_output.h): errors drop output, never stop the guest; ignore SIGPIPE for pipes.
    Serial8250(int output_fd, InterruptTrigger trigger);

    void read(uint64_t offset, std::span<uint8_t> data) override;
    void write(uint64_t offset, std::span<const uint8_t> data) override;

    // Host input (stdin) for the guest: bytes beyond the FIFO's free space are dropped.
    void enqueue_input(std::span<const uint8_t> bytes);
    // Hands buffered output to the sink.
    void flush();
    // Input bytes dropped because the receive FIFO was full.
    [[nodiscard]] uint64_t dropped_input_bytes() const;

private:
    uint8_t read_register(uint64_t reg);
    void write_register(uint64_t reg, uint8_t value);
    uint8_t read_iir();
    uint8_t read_lsr();
    [[nodiscard]] uint8_t modem_status() const;
    void write_ier(uint8_t value);
    void write_fcr(uint8_t value);
    void transmit(uint8_t byte);
    void receive(uint8_t byte);
    uint8_t pop_received();
    void flush_output();
    // The IIR interrupt ID of the highest-priority pending, enabled interrupt.
    [[nodiscard]] uint8_t pending_interrupt() const;
    // Recomputes the interrupt line; true on a rising edge (the caller triggers).
    bool update_interrupt_line();
    void trigger_if(bool rising);

    const OutputSink m_sink;
    const InterruptTrigger m_trigger;
    mutable std::mutex m_mutex;

    uint8_t m_ier = 0;
    uint8_t m_lcr = 0;
    uint8_t m_mcr = 0;
    uint8_t m_scr = 0;
    // Divisor 1 (115200 baud). Never 0 at reset: Linux's probe_baud() divides by it.
    uint8_t m_dll = 1;
    uint8_t m_dlm = 0;
    bool m_fifo_enabled = false;
    bool m_thre_pending = false;  // THRE interrupt raised and not yet acknowledged
    bool m_overrun = false;       // LSR.OE, cleared by reading LSR
    bool m_line_high = false;

    std::array<uint8_t, kRxFifoCapacity> m_rx{};
    size_t m_rx_head = 0;
    size_t m_rx_count = 0;
    uint64_t m_rx_dropped = 0;

    std::array<uint8_t, kOutputBufferSize> m_out{};
    size_t m_out_len = 0;
};

}  // namespace cw::devices
