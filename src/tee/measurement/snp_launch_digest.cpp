#include "tee/measurement/snp_launch_digest.h"

#include <string>

namespace cw::tee {

namespace {

std::string page_at(SnpPageType type, uint64_t gpa) {
    return std::string(snp_page_type_name(type)) + " page at GPA " + hex(gpa);
}

Result<void> check_type(SnpPageType type) {
    auto value = static_cast<unsigned>(type);
    if (value < static_cast<unsigned>(SnpPageType::Normal) || value > static_cast<unsigned>(SnpPageType::Cpuid))
        return Error::msg("unknown SNP page type " + std::to_string(value) + " (valid: 1-6)");
    return {};
}

// `pages` pages from `gpa`: aligned, and the last one's GPA still fits in 64 bits.
Result<void> check_range(SnpPageType type, uint64_t gpa, uint64_t pages) {
    CW_TRY(check_type(type));
    if (gpa % kSnpPageSize != 0)
        return Error::msg(page_at(type, gpa) + ": GPA is not 4 KiB aligned");
    if (pages == 0)
        return Error::msg(page_at(type, gpa) + ": empty range (zero pages)");
    if (pages - 1 > (UINT64_MAX - gpa) / kSnpPageSize)
        return Error::msg(page_at(type, gpa) + ": " + std::to_string(pages) + " pages run past the end of the address space");
    return {};
}

}  // namespace

std::string_view snp_page_type_name(SnpPageType type) {
    switch (type) {
    case SnpPageType::Normal: return "NORMAL";
    case SnpPageType::Vmsa: return "VMSA";
    case SnpPageType::Zero: return "ZERO";
    case SnpPageType::Unmeasured: return "UNMEASURED";
    case SnpPageType::Secrets: return "SECRETS";
    case SnpPageType::Cpuid: return "CPUID";
    }
    return "UNKNOWN";
}

Result<void> SnpLaunchDigest::update(SnpPageType type, uint64_t gpa, std::span<const uint8_t> page) {
    CW_TRY(check_range(type, gpa, 1));
    if (snp_page_type_has_contents(type) && page.size() != kSnpPageSize)
        return Error::msg(page_at(type, gpa) + ": " + std::to_string(page.size()) +
                          " bytes of contents, expected exactly 4096");
    if (!snp_page_type_has_contents(type) && !page.empty())
        return Error::msg(page_at(type, gpa) + ": " + std::to_string(page.size()) + " bytes of contents given, but " +
                          std::string(snp_page_type_name(type)) + " pages are not hashed and take none");
    return hash_page(type, gpa, page);
}

Result<void> SnpLaunchDigest::update_range(SnpPageType type, uint64_t gpa, std::span<const uint8_t> contents) {
    CW_TRY(check_type(type));
    if (!snp_page_type_has_contents(type))
        return Error::msg(page_at(type, gpa) + ": " + std::string(snp_page_type_name(type)) +
                          " pages are not hashed; measure them by page count");
    if (contents.empty() || contents.size() % kSnpPageSize != 0)
        return Error::msg(page_at(type, gpa) + ": " + std::to_string(contents.size()) +
                          " bytes of contents is not a whole, non-zero number of 4 KiB pages");
    uint64_t pages = contents.size() / kSnpPageSize;
    if (type == SnpPageType::Vmsa && pages != 1)
        return Error::msg(page_at(type, gpa) + ": " + std::to_string(pages) +
                          " pages given, but a VMSA is exactly one page (one update per vCPU)");
    CW_TRY(check_range(type, gpa, pages));
    for (uint64_t i = 0; i < pages; ++i)
        CW_TRY(hash_page(type, gpa + i * kSnpPageSize, contents.subspan(i * kSnpPageSize, kSnpPageSize)));
    return {};
}

Result<void> SnpLaunchDigest::update_range(SnpPageType type, uint64_t gpa, uint64_t pages) {
    CW_TRY(check_type(type));
    if (snp_page_type_has_contents(type))
        return Error::msg(page_at(type, gpa) + ": " + std::string(snp_page_type_name(type)) +
                          " pages are hashed; their contents are needed");
    CW_TRY(check_range(type, gpa, pages));
    for (uint64_t i = 0; i < pages; ++i)
        CW_TRY(hash_page(type, gpa + i * kSnpPageSize, {}));
    return {};
}

// Inputs are validated; this only builds PAGE_INFO and hashes it.
Result<void> SnpLaunchDigest::hash_page(SnpPageType type, uint64_t gpa, std::span<const uint8_t> page) {
    SnpPageInfo info{};
    info.digest_cur = m_digest;
    if (snp_page_type_has_contents(type))
        info.contents = CW_TRY(sha384(page));
    info.length = sizeof(SnpPageInfo);
    info.page_type = static_cast<uint8_t>(type);
    info.gpa = gpa;
    SnpPageInfoBytes bytes = snp_page_info_bytes(info);
    m_digest = CW_TRY(sha384(bytes));
    if (m_tracing)
        m_trace.push_back(SnpTraceStep{type, gpa, info.contents, m_digest});
    return {};
}

}  // namespace cw::tee
