// The Intel SGX extension of PCK certificates (OID 1.2.840.113741.1.13.1), as specified in
// "Intel SGX PCK Certificate and Certificate Revocation List Profile", section 1.5:
//   SEQUENCE {
//     { .1  PPID        OCTET STRING (16) }
//     { .2  TCB         SEQUENCE { { .2.1 .. .2.16 INTEGER (component SVN) }, { .2.17 PCESVN INTEGER },
//                                  { .2.18 CPUSVN OCTET STRING (16) } } }
//     { .3  PCE-ID      OCTET STRING (2) }
//     { .4  FMSPC       OCTET STRING (6) }
//     { .5  SGX type    ENUMERATED }
//     ... (.6 platform instance ID, .7 configuration: Platform CA leaves only; ignored here)
//   }
// The values are trusted only once the certificate chains to the pinned root: parse after
// chain verification.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "base/result.h"

namespace cw::attest {

// DER contents of OID 1.2.840.113741.1.13.1 (2A 86 48 86 F8 4D 01 0D 01).
inline constexpr std::array<uint8_t, 9> kSgxExtensionOid = {0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01};

struct SgxPckExtensions {
    std::array<uint8_t, 16> ppid{};
    std::array<uint8_t, 16> sgx_tcb_components{};  // component SVNs .2.1 .. .2.16
    uint16_t pcesvn = 0;
    std::array<uint8_t, 16> cpusvn{};
    std::array<uint8_t, 2> pceid{};
    std::array<uint8_t, 6> fmspc{};
    uint32_t sgx_type = 0;                          // 0 standard, 1 scalable, 2 scalable with integrity
};

// Parses the extension's value (the contents of its extnValue OCTET STRING). Every field
// above must be present exactly once with the specified size.
Result<SgxPckExtensions> parse_sgx_pck_extensions(std::span<const uint8_t> der);

}  // namespace cw::attest
