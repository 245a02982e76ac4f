// Register map of the 16550A UART, with the names of the National Semiconductor PC16550D
// datasheet ("Registers", table II). Offsets are from the UART's base port; while LCR.DLAB
// is set, offsets 0 and 1 reach the divisor latch instead of RBR/THR and IER.
#pragma once

#include <cstdint>

namespace cw::devices::uart {

// Register offsets.
inline constexpr uint64_t kRbr = 0;  // receiver buffer (read, DLAB = 0)
inline constexpr uint64_t kThr = 0;  // transmitter holding (write, DLAB = 0)
inline constexpr uint64_t kDll = 0;  // divisor latch, low byte (DLAB = 1)
inline constexpr uint64_t kIer = 1;  // interrupt enable (DLAB = 0)
inline constexpr uint64_t kDlm = 1;  // divisor latch, high byte (DLAB = 1)
inline constexpr uint64_t kIir = 2;  // interrupt identification (read)
inline constexpr uint64_t kFcr = 2;  // FIFO control (write)
inline constexpr uint64_t kLcr = 3;  // line control
inline constexpr uint64_t kMcr = 4;  // modem control
inline constexpr uint64_t kLsr = 5;  // line status
inline constexpr uint64_t kMsr = 6;  // modem status
inline constexpr uint64_t kScr = 7;  // scratch
inline constexpr uint64_t kRegisterCount = 8;

// IER: interrupt sources the guest enables. Bits 4-7 do not exist on a 16550A and read 0;
// Linux probes them (the XScale UUE bit) and must find them stuck at 0.
inline constexpr uint8_t kIerErbfi = 0x01;  // received data available
inline constexpr uint8_t kIerEtbei = 0x02;  // transmitter holding register empty
inline constexpr uint8_t kIerElsi = 0x04;   // receiver line status
inline constexpr uint8_t kIerEdssi = 0x08;  // modem status
inline constexpr uint8_t kIerMask = 0x0f;

// IIR: bit 0 clear means an interrupt is pending, bits 1-3 say which (highest priority
// first: RLS, RDA, THRE, modem status), bits 6-7 are set while FIFOs are enabled.
inline constexpr uint8_t kIirNoInterrupt = 0x01;
inline constexpr uint8_t kIirRls = 0x06;  // receiver line status (overrun)
inline constexpr uint8_t kIirRda = 0x04;  // received data available
inline constexpr uint8_t kIirThre = 0x02;  // transmitter holding register empty
inline constexpr uint8_t kIirFifosEnabled = 0xc0;

// FCR. The 64-byte FIFO bit (5) of the 16750 is not implemented: Linux must not see it.
inline constexpr uint8_t kFcrFifoEnable = 0x01;
inline constexpr uint8_t kFcrRcvrFifoReset = 0x02;

// LCR.
inline constexpr uint8_t kLcrDlab = 0x80;  // divisor latch access

// MCR.
inline constexpr uint8_t kMcrDtr = 0x01;
inline constexpr uint8_t kMcrRts = 0x02;
inline constexpr uint8_t kMcrOut1 = 0x04;
inline constexpr uint8_t kMcrOut2 = 0x08;
inline constexpr uint8_t kMcrLoop = 0x10;
inline constexpr uint8_t kMcrMask = 0x1f;

// LSR.
inline constexpr uint8_t kLsrDr = 0x01;    // data ready
inline constexpr uint8_t kLsrOe = 0x02;    // overrun error
inline constexpr uint8_t kLsrThre = 0x20;  // transmitter holding register empty
inline constexpr uint8_t kLsrTemt = 0x40;  // transmitter empty

// MSR (the delta bits 0-3 never set here: the modem inputs never change).
inline constexpr uint8_t kMsrCts = 0x10;
inline constexpr uint8_t kMsrDsr = 0x20;
inline constexpr uint8_t kMsrRi = 0x40;
inline constexpr uint8_t kMsrDcd = 0x80;

}  // namespace cw::devices::uart
