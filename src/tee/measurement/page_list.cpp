#include "tee/measurement/page_list.h"

#include <string>

namespace cw::tee {

Result<void> measure_snp_page(SnpLaunchDigest& digest, const SnpPage& page) {
    if (snp_page_type_has_contents(page.type))
        return digest.update_range(page.type, page.gpa, page.contents);
    return digest.update(page.type, page.gpa, page.contents);
}

Result<void> measure_snp_pages(SnpLaunchDigest& digest, std::span<const SnpPage> pages) {
    for (size_t i = 0; i < pages.size(); ++i)
        CW_TRY(measure_snp_page(digest, pages[i]).context("page " + std::to_string(i)));
    return {};
}

Result<Sha384Digest> snp_launch_digest(std::span<const SnpPage> pages) {
    SnpLaunchDigest digest;
    CW_TRY(measure_snp_pages(digest, pages));
    return digest.digest();
}

Result<void> measure_tdx_op(TdxMrtd& mrtd, const TdxOp& op) {
    switch (op.op) {
    case TdxOpKind::Add:
        if (!op.contents.empty())
            return Error::msg("MEM.PAGE.ADD at GPA " + hex(op.gpa) + ": " + std::to_string(op.contents.size()) +
                              " bytes of contents given, but PAGE.ADD does not measure contents and takes none");
        return mrtd.add_page(op.gpa);
    case TdxOpKind::Extend:
        return mrtd.extend_range(op.gpa, op.contents);
    }
    return Error::msg("unknown TDX operation " + std::to_string(static_cast<unsigned>(op.op)));
}

Result<void> measure_tdx_ops(TdxMrtd& mrtd, std::span<const TdxOp> ops) {
    for (size_t i = 0; i < ops.size(); ++i)
        CW_TRY(measure_tdx_op(mrtd, ops[i]).context("operation " + std::to_string(i)));
    return {};
}

Result<Sha384Digest> tdx_mrtd(std::span<const TdxOp> ops) {
    TdxMrtd mrtd = CW_TRY(TdxMrtd::create());
    CW_TRY(measure_tdx_ops(mrtd, ops));
    return mrtd.value();
}

}  // namespace cw::tee
