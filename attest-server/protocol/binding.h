// The REPORT_DATA binding of cw-attest/1: what ties a TEE report to one session (its nonce)
// and to the guest's per-boot key (so the disk key can only be wrapped to the key the
// hardware vouched for):
//
//   REPORT_DATA = SHA-512("cw-attest/1 report-data" || 0x00 || nonce (32) || tee_pubkey (97))
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "protocol/protocol.h"

namespace cw::attest::protocol {

inline constexpr std::string_view kReportDataLabel = "cw-attest/1 report-data";

std::array<uint8_t, 64> report_data_binding(std::span<const uint8_t, kNonceSize> nonce,
                                            std::span<const uint8_t, kTeePublicKeySize> tee_pubkey);

}  // namespace cw::attest::protocol
