#include "tee/measurement/tdx_measurement.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

namespace cw::tee {

namespace {

TdxMrtdBlockBytes block(std::string_view operation, uint64_t gpa) {
    TdxMrtdBlock b{};
    std::copy_n(operation.begin(), std::min(operation.size(), b.operation.size()), b.operation.begin());
    b.gpa = gpa;
    return std::bit_cast<TdxMrtdBlockBytes>(b);
}

std::string op_at(std::string_view op, uint64_t gpa) { return std::string(op) + " at GPA " + hex(gpa); }

}  // namespace

TdxMrtdBlockBytes tdx_page_add_block(uint64_t gpa) { return block("MEM.PAGE.ADD", gpa); }
TdxMrtdBlockBytes tdx_mr_extend_block(uint64_t gpa) { return block("MR.EXTEND", gpa); }

Result<TdxMrtd> TdxMrtd::create() { return TdxMrtd(CW_TRY(Sha384Stream::create())); }

Result<void> TdxMrtd::add_page(uint64_t gpa) {
    if (gpa % kTdxPageSize != 0)
        return Error::msg(op_at("MEM.PAGE.ADD", gpa) + ": GPA is not 4 KiB aligned");
    if (m_added_pages.contains(gpa))
        return Error::msg(op_at("MEM.PAGE.ADD", gpa) + ": page already added");
    CW_TRY(m_hash.update(tdx_page_add_block(gpa)));
    m_added_pages.insert(gpa);
    return record(TdxOpKind::Add, gpa, {});
}

Result<void> TdxMrtd::extend(uint64_t gpa, std::span<const uint8_t> chunk) {
    if (gpa % kTdxExtendChunkSize != 0)
        return Error::msg(op_at("MR.EXTEND", gpa) + ": GPA is not 256-byte aligned");
    if (chunk.size() != kTdxExtendChunkSize)
        return Error::msg(op_at("MR.EXTEND", gpa) + ": " + std::to_string(chunk.size()) +
                          " bytes of contents, expected exactly 256");
    uint64_t page = gpa - gpa % kTdxPageSize;
    if (!m_added_pages.contains(page))
        return Error::msg(op_at("MR.EXTEND", gpa) + ": page " + hex(page) + " was not added by an earlier MEM.PAGE.ADD");
    CW_TRY(m_hash.update(tdx_mr_extend_block(gpa)));
    CW_TRY(m_hash.update(chunk));
    return record(TdxOpKind::Extend, gpa, chunk);
}

Result<void> TdxMrtd::extend_range(uint64_t gpa, std::span<const uint8_t> contents) {
    if (contents.empty() || contents.size() % kTdxExtendChunkSize != 0)
        return Error::msg(op_at("MR.EXTEND", gpa) + ": " + std::to_string(contents.size()) +
                          " bytes of contents is not a whole, non-zero number of 256-byte chunks");
    uint64_t chunks = contents.size() / kTdxExtendChunkSize;
    if (chunks - 1 > (UINT64_MAX - gpa) / kTdxExtendChunkSize)
        return Error::msg(op_at("MR.EXTEND", gpa) + ": " + std::to_string(chunks) +
                          " chunks run past the end of the address space");
    // Check every page first, so a bad range leaves MRTD untouched.
    for (uint64_t i = 0; i < chunks; ++i) {
        uint64_t chunk_gpa = gpa + i * kTdxExtendChunkSize;
        if (!m_added_pages.contains(chunk_gpa - chunk_gpa % kTdxPageSize))
            return extend(chunk_gpa, contents.subspan(i * kTdxExtendChunkSize, kTdxExtendChunkSize));
    }
    for (uint64_t i = 0; i < chunks; ++i)
        CW_TRY(extend(gpa + i * kTdxExtendChunkSize, contents.subspan(i * kTdxExtendChunkSize, kTdxExtendChunkSize)));
    return {};
}

Result<void> TdxMrtd::add_pages_single_pass(uint64_t gpa, std::span<const uint8_t> contents) {
    if (contents.empty() || contents.size() % kTdxPageSize != 0)
        return Error::msg(op_at("MEM.PAGE.ADD", gpa) + ": " + std::to_string(contents.size()) +
                          " bytes of contents is not a whole, non-zero number of 4 KiB pages");
    uint64_t pages = contents.size() / kTdxPageSize;
    if (pages - 1 > (UINT64_MAX - gpa) / kTdxPageSize)
        return Error::msg(op_at("MEM.PAGE.ADD", gpa) + ": " + std::to_string(pages) +
                          " pages run past the end of the address space");
    // Check every page first, so a bad range leaves MRTD untouched.
    if (gpa % kTdxPageSize != 0)
        return add_page(gpa);
    for (uint64_t i = 0; i < pages; ++i) {
        if (m_added_pages.contains(gpa + i * kTdxPageSize))
            return add_page(gpa + i * kTdxPageSize);
    }
    for (uint64_t i = 0; i < pages; ++i) {
        uint64_t page_gpa = gpa + i * kTdxPageSize;
        CW_TRY(add_page(page_gpa));
        CW_TRY(extend_range(page_gpa, contents.subspan(i * kTdxPageSize, kTdxPageSize)));
    }
    return {};
}

Result<void> TdxMrtd::record(TdxOpKind op, uint64_t gpa, std::span<const uint8_t> chunk) {
    if (!m_tracing)
        return {};
    std::optional<Sha384Digest> contents;
    if (op == TdxOpKind::Extend)
        contents = CW_TRY(sha384(chunk));
    m_trace.push_back(TdxTraceStep{op, gpa, contents, CW_TRY(m_hash.digest())});
    return {};
}

Result<Sha384Digest> rtmr_extend(const Sha384Digest& rtmr, const Sha384Digest& digest) {
    std::array<uint8_t, 2 * kSha384Size> input{};
    std::copy(rtmr.begin(), rtmr.end(), input.begin());
    std::copy(digest.begin(), digest.end(), input.begin() + kSha384Size);
    return sha384(input);
}

}  // namespace cw::tee
