// TDX build-time measurement (MRTD) and run-time measurement registers (RTMRs).
//
// MRTD is ONE running SHA-384 over the whole TD build sequence, finalized once at
// TDH.MR.FINALIZE; unlike the SNP launch digest it is not a chain of per-step digests.
// Intel TDX Module Base Architecture Specification (Intel 348549), "MRTD" and the
// TDH.MEM.PAGE.ADD / TDH.MR.EXTEND leaves; the same definition as td-shim's
// td_shim_tee_info_hash.py (shared/vectors/tdx-measurement.md).
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <type_traits>
#include <unordered_set>
#include <vector>

#include "base/result.h"
#include "tee/measurement/sha384.h"

namespace cw::tee {

inline constexpr uint64_t kTdxPageSize = 0x1000;
// TDH.MR.EXTEND measures 256 bytes at a time: 16 extends per 4 KiB page.
inline constexpr uint64_t kTdxExtendChunkSize = 256;

// The 128-byte block each operation absorbs into MRTD (before MR.EXTEND's 256-byte chunk).
struct TdxMrtdBlock {
    std::array<char, 16> operation;      // 0x00: "MEM.PAGE.ADD" or "MR.EXTEND", zero-padded
    uint64_t gpa;                        // 0x10: little-endian
    std::array<uint8_t, 104> reserved;  // 0x18: zeros
};
static_assert(std::endian::native == std::endian::little, "the MRTD block is hashed as little-endian bytes");
static_assert(sizeof(TdxMrtdBlock) == 128);
static_assert(std::is_standard_layout_v<TdxMrtdBlock> && std::has_unique_object_representations_v<TdxMrtdBlock>);
static_assert(offsetof(TdxMrtdBlock, operation) == 0x00);
static_assert(offsetof(TdxMrtdBlock, gpa) == 0x10);
static_assert(offsetof(TdxMrtdBlock, reserved) == 0x18);

using TdxMrtdBlockBytes = std::array<uint8_t, sizeof(TdxMrtdBlock)>;
[[nodiscard]] TdxMrtdBlockBytes tdx_page_add_block(uint64_t gpa);
[[nodiscard]] TdxMrtdBlockBytes tdx_mr_extend_block(uint64_t gpa);

enum class TdxOpKind : uint8_t {
    Add,     // TDH.MEM.PAGE.ADD: the GPA is measured, the page contents are not
    Extend,  // TDH.MR.EXTEND: the GPA and 256 bytes of contents are measured
};

// One operation, recorded when tracing is on (cw-measure --explain).
struct TdxTraceStep {
    TdxOpKind op;
    uint64_t gpa;
    std::optional<Sha384Digest> contents;  // MR.EXTEND: SHA-384 of its 256-byte chunk
    Sha384Digest mrtd;                     // MRTD if the build were finalized after this step
};

class TdxMrtd {
public:
    [[nodiscard]] static Result<TdxMrtd> create();

    // Records every following step in trace().
    void enable_trace() { m_tracing = true; }

    // TDH.MEM.PAGE.ADD of the 4 KiB page at `gpa` (4 KiB aligned). Like the TDX module,
    // refuses to add the same page twice.
    [[nodiscard]] Result<void> add_page(uint64_t gpa);
    // TDH.MR.EXTEND of one 256-byte `chunk` at `gpa` (256-byte aligned), which must lie in
    // a page added earlier: the TDX module refuses to extend a page that is not there.
    [[nodiscard]] Result<void> extend(uint64_t gpa, std::span<const uint8_t> chunk);
    // One MR.EXTEND per 256 bytes of `contents` (a non-zero multiple of 256), from `gpa` on.
    [[nodiscard]] Result<void> extend_range(uint64_t gpa, std::span<const uint8_t> contents);
    // Page by page, PAGE.ADD then the 16 MR.EXTENDs of that page ("single pass"): the order
    // of upstream KVM's KVM_TDX_INIT_MEM_REGION with KVM_TDX_MEASURE_MEMORY_REGION.
    [[nodiscard]] Result<void> add_pages_single_pass(uint64_t gpa, std::span<const uint8_t> contents);

    // MRTD as TDH.MR.FINALIZE would report it now; more operations may follow.
    [[nodiscard]] Result<Sha384Digest> value() const { return m_hash.digest(); }
    [[nodiscard]] const std::vector<TdxTraceStep>& trace() const { return m_trace; }

private:
    explicit TdxMrtd(Sha384Stream hash) : m_hash(std::move(hash)) {}
    Result<void> record(TdxOpKind op, uint64_t gpa, std::span<const uint8_t> chunk);

    Sha384Stream m_hash;
    std::unordered_set<uint64_t> m_added_pages;
    bool m_tracing = false;
    std::vector<TdxTraceStep> m_trace;
};

// TDG.MR.RTMR.EXTEND: RTMR_new = SHA-384(RTMR_old || digest). RTMRs start as 48 zero bytes.
[[nodiscard]] Result<Sha384Digest> rtmr_extend(const Sha384Digest& rtmr, const Sha384Digest& digest);

}  // namespace cw::tee
