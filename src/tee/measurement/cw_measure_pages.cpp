#include "tee/measurement/cw_measure_pages.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string_view>

#include "base/mapped_file.h"
#include "tee/measurement/page_list_json.h"

namespace cw::tee::cli {

namespace {

// Keys in the order written (digest first), not sorted.
using Json = nlohmann::ordered_json;

struct ListFile {
    MappedFile file;
    std::string base_dir;  // relative "file" paths in the list are relative to this
};

Result<ListFile> open_list(const std::string& path) {
    MappedFile file = CW_TRY(MappedFile::open(path, kMaxPageListJsonBytes));
    return ListFile{std::move(file), std::filesystem::path(path).parent_path().string()};
}

std::string_view text_of(const MappedFile& file) {
    auto bytes = file.bytes();
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

void print_line(const std::string& line) { std::printf("%s\n", line.c_str()); }

// One row of --explain text: step, type, GPA, content hash, running value.
std::string explain_row(size_t step, std::string_view type, uint64_t gpa, const std::string& contents,
                        const std::string& running) {
    char prefix[64];
    std::snprintf(prefix, sizeof(prefix), "%6zu %-10.*s 0x%016llx ", step, static_cast<int>(type.size()), type.data(),
                  static_cast<unsigned long long>(gpa));
    return prefix + contents + " " + running;
}

void print_snp(const SnpLaunchDigest& digest, const PagesOptions& options) {
    std::string value = to_hex_lower(digest.digest());
    if (options.json) {
        Json out = {{"snp_launch_digest", value}};
        if (options.explain)
            out["pages"] = snp_trace_json(digest);
        print_line(out.dump(2));
        return;
    }
    if (options.explain)
        print_snp_trace(digest);
    print_line(value);
}

Result<void> print_tdx(const TdxMrtd& mrtd, const PagesOptions& options) {
    std::string value = to_hex_lower(CW_TRY(mrtd.value()));
    if (options.json) {
        Json out = {{"tdx_mrtd", value}};
        if (options.explain) {
            Json ops = Json::array();
            for (const TdxTraceStep& s : mrtd.trace())
                ops.push_back({{"op", s.op == TdxOpKind::Add ? "add" : "extend"}, {"gpa", hex(s.gpa)},
                               {"contents", s.contents ? Json(to_hex_lower(*s.contents)) : Json(nullptr)},
                               {"mrtd", to_hex_lower(s.mrtd)}});
            out["operations"] = std::move(ops);
        }
        print_line(out.dump(2));
        return {};
    }
    if (options.explain) {
        print_line("#  step op         gpa                contents (SHA-384 of the 256 bytes) MRTD if finalized here");
        for (size_t i = 0; i < mrtd.trace().size(); ++i) {
            const TdxTraceStep& s = mrtd.trace()[i];
            std::string_view op = s.op == TdxOpKind::Add ? "PAGE.ADD" : "MR.EXTEND";
            print_line(explain_row(i, op, s.gpa, s.contents ? to_hex_lower(*s.contents) : "-", to_hex_lower(s.mrtd)));
        }
    }
    print_line(value);
    return {};
}

}  // namespace

Json snp_trace_json(const SnpLaunchDigest& digest) {
    Json pages = Json::array();
    for (const SnpTraceStep& s : digest.trace())
        pages.push_back({{"type", lower(snp_page_type_name(s.type))}, {"gpa", hex(s.gpa)},
                         {"contents", to_hex_lower(s.contents)}, {"digest", to_hex_lower(s.digest)}});
    return pages;
}

void print_snp_trace(const SnpLaunchDigest& digest) {
    print_line("#  step type       gpa                contents (PAGE_INFO.CONTENTS) digest after this page");
    for (size_t i = 0; i < digest.trace().size(); ++i) {
        const SnpTraceStep& s = digest.trace()[i];
        print_line(explain_row(i, snp_page_type_name(s.type), s.gpa, to_hex_lower(s.contents), to_hex_lower(s.digest)));
    }
}

Result<void> run_snp_pages(const PagesOptions& options) {
    ListFile list = CW_TRY(open_list(options.list_path));
    auto entries = CW_TRY(parse_snp_page_list(text_of(list.file)).context(options.list_path));
    SnpLaunchDigest digest;
    if (options.explain)
        digest.enable_trace();
    CW_TRY(measure_snp_page_list(entries, list.base_dir, read_page_file, digest).context(options.list_path));
    print_snp(digest, options);
    return {};
}

Result<void> run_tdx_pages(const PagesOptions& options) {
    ListFile list = CW_TRY(open_list(options.list_path));
    auto entries = CW_TRY(parse_tdx_op_list(text_of(list.file)).context(options.list_path));
    TdxMrtd mrtd = CW_TRY(TdxMrtd::create());
    if (options.explain)
        mrtd.enable_trace();
    CW_TRY(measure_tdx_op_list(entries, list.base_dir, read_page_file, mrtd).context(options.list_path));
    return print_tdx(mrtd, options);
}

}  // namespace cw::tee::cli
