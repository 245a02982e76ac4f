// Intel TDX DCAP quote wire format, declared once.
//
// Sources: Intel "TDX DCAP Quoting Library API" (quote format v4, appendix A.3; v5, A.4), the
// Intel TDX Module ABI (TDREPORT/TDINFO), the SGX REPORT body (Intel SDM vol. 3D, 38.15), and
// google/go-tdx-guest abi/abi.go, which the shared reference (attestation-facts.md section 3.1)
// was cross-checked against by verifying real signatures. All integers are little-endian.
//
//   v4: header(48) | TD report body 1.0 (584)                        | u32 sig_len | sig data
//   v5: header(48) | u16 body_type, u32 body_size | body (584 or 648) | u32 sig_len | sig data
//   The quote signature covers everything before sig_len (v5: including the 6-byte descriptor).
//
//   sig data: ECDSA r||s (64) | attestation key x||y (64) | certification data (type 6):
//     u16 type = 6, u32 size, then: QE report (384) | QE report r||s (64) | u16 auth_len |
//     auth data | inner certification data: u16 type = 5, u32 size, PEM PCK chain.
//
// The fixed-size pieces below are copied out of the quote byte-for-byte (memcpy into these
// structs), so their layout must match the wire exactly: hence the static_asserts. Variable
// parts (descriptor, lengths, certification data) are read field by field with bounds.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace cw::attest::tdx_wire {

// Fields are read with memcpy into native integers: this code only runs on little-endian hosts.
static_assert(std::endian::native == std::endian::little, "TDX quote parsing assumes a little-endian host");

inline constexpr uint16_t kQuoteVersion4 = 4;
inline constexpr uint16_t kQuoteVersion5 = 5;
inline constexpr uint16_t kAttKeyTypeEcdsaP256 = 2;  // "ECDSA-256-with-P-256 curve"
inline constexpr uint32_t kTeeTypeTdx = 0x81;        // 0x00 would be SGX
inline constexpr uint16_t kBodyTypeTdx10 = 2;        // v5 descriptor: TD report body of TDX 1.0
inline constexpr uint16_t kBodyTypeTdx15 = 3;        // v5 descriptor: TD report body of TDX 1.5
inline constexpr uint16_t kCertDataQeReport = 6;     // QE report certification data
inline constexpr uint16_t kCertDataPckChainPem = 5;  // PCK leaf + intermediate + root, PEM
// td_attributes bit 0: the TD is debuggable (the host can read and write its memory).
inline constexpr uint64_t kTdAttributeDebug = 1ULL << 0;

// Quote header (48 bytes).
struct QuoteHeader {
    uint16_t version;           // @0   4 or 5
    uint16_t att_key_type;      // @2   2 = ECDSA P-256
    uint32_t tee_type;          // @4   0x81 = TDX
    uint16_t qe_svn;            // @8   reserved in v4/v5 (informational only, unsigned by Intel)
    uint16_t pce_svn;           // @10  reserved in v4/v5
    uint8_t qe_vendor_id[16];   // @12  Intel QE: 939a7233f79c4ca9940a0db3957f0607
    uint8_t user_data[20];      // @28  first 16 bytes: platform identifier of the QE
};
static_assert(sizeof(QuoteHeader) == 48 && std::is_standard_layout_v<QuoteHeader>);
static_assert(offsetof(QuoteHeader, qe_vendor_id) == 12 && offsetof(QuoteHeader, user_data) == 28);

// TD report body, TDX 1.0 (584 bytes; quote v4 at offset 48, or v5 body type 2).
struct TdReportBody10 {
    uint8_t tee_tcb_svn[16];     // @0   [0] module minor SVN, [1] module major SVN, [2] late microcode
    uint8_t mrseam[48];          // @16
    uint8_t mrsignerseam[48];    // @64  zero for the Intel TDX module
    uint8_t seam_attributes[8];  // @112
    uint8_t td_attributes[8];    // @120 bit 0 DEBUG, bit 28 SEPT_VE_DISABLE
    uint8_t xfam[8];             // @128
    uint8_t mrtd[48];            // @136 build-time measurement of the TD
    uint8_t mrconfigid[48];      // @184
    uint8_t mrowner[48];         // @232
    uint8_t mrownerconfig[48];   // @280
    uint8_t rtmr[4][48];         // @328 RTMR0..3
    uint8_t report_data[64];     // @520
};
static_assert(sizeof(TdReportBody10) == 584 && std::is_standard_layout_v<TdReportBody10>);
static_assert(offsetof(TdReportBody10, mrtd) == 136 && offsetof(TdReportBody10, rtmr) == 328);
static_assert(offsetof(TdReportBody10, report_data) == 520);

// TD report body, TDX 1.5 (648 bytes; quote v5 body type 3): the 1.0 body plus two fields.
struct TdReportBody15 {
    TdReportBody10 base;         // @0
    uint8_t tee_tcb_svn2[16];    // @584
    uint8_t mrservicetd[48];     // @600
};
static_assert(sizeof(TdReportBody15) == 648 && std::is_standard_layout_v<TdReportBody15>);
static_assert(offsetof(TdReportBody15, tee_tcb_svn2) == 584 && offsetof(TdReportBody15, mrservicetd) == 600);

// SGX REPORT body of the Quoting Enclave (384 bytes), signed by the PCK key.
struct SgxReportBody {
    uint8_t cpusvn[16];          // @0
    uint32_t miscselect;         // @16
    uint8_t reserved1[28];       // @20
    uint8_t attributes[16];      // @48
    uint8_t mrenclave[32];       // @64
    uint8_t reserved2[32];       // @96
    uint8_t mrsigner[32];        // @128
    uint8_t reserved3[96];       // @160
    uint16_t isvprodid;          // @256
    uint16_t isvsvn;             // @258
    uint8_t reserved4[60];       // @260
    uint8_t report_data[64];     // @320 SHA-256(attestation key || QE auth data) || 32 zero bytes
};
static_assert(sizeof(SgxReportBody) == 384 && std::is_standard_layout_v<SgxReportBody>);
static_assert(offsetof(SgxReportBody, attributes) == 48 && offsetof(SgxReportBody, mrsigner) == 128);
static_assert(offsetof(SgxReportBody, isvprodid) == 256 && offsetof(SgxReportBody, report_data) == 320);

inline constexpr size_t kBodyDescriptorSize = 6;  // v5: u16 body_type + u32 body_size
inline constexpr size_t kEcdsaSignatureSize = 64; // r || s, 32 bytes each, big-endian
inline constexpr size_t kEcdsaP256KeySize = 64;   // x || y, big-endian (no 0x04 prefix)
inline constexpr size_t kCertDataHeaderSize = 6;  // u16 type + u32 size

}  // namespace cw::attest::tdx_wire
