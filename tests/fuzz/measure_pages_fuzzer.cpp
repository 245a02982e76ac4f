// libFuzzer target for the JSON page lists of `cw-measure snp-pages` / `tdx-pages`
// (tee/measurement/page_list_json.h): the list is whatever file the user or a remote party
// supplies, so any byte string must be parsed or refused with an error, never crash, hang
// or allocate without bound.
//
// Both parsers see every input. When one accepts it, the entries are also measured, with
// files served from memory instead of the filesystem: each path gets 0-8 KiB of bytes
// chosen by its length, so valid and wrong-sized files both occur. Lists longer than 64
// entries are parsed but not measured, to keep each run fast.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tee/measurement/page_list_json.h"

namespace {

constexpr size_t kMaxMeasuredEntries = 64;

cw::Result<std::vector<uint8_t>> fake_file(const std::string& path, uint64_t max_size) {
    size_t size = (path.size() % 9) * 1024;
    if (size > max_size)
        return cw::Error::msg(path + ": larger than the limit");
    return std::vector<uint8_t>(size, static_cast<uint8_t>(path.size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view json(reinterpret_cast<const char*>(data), size);

    auto snp = cw::tee::parse_snp_page_list(json);
    if (snp.ok() && snp->size() <= kMaxMeasuredEntries) {
        cw::tee::SnpLaunchDigest digest;
        digest.enable_trace();
        (void)cw::tee::measure_snp_page_list(*snp, "base", fake_file, digest);
    }

    auto tdx = cw::tee::parse_tdx_op_list(json);
    if (tdx.ok() && tdx->size() <= kMaxMeasuredEntries) {
        auto mrtd = cw::tee::TdxMrtd::create();
        if (mrtd.ok())
            (void)cw::tee::measure_tdx_op_list(*tdx, "base", fake_file, *mrtd);
    }
    return 0;
}
