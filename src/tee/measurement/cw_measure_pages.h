// cw-measure's page-list subcommands: `snp-pages` and `tdx-pages` digest an explicit JSON
// page list (page_list_json.h), for checking our measurements against other tools.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "base/result.h"
#include "tee/measurement/snp_launch_digest.h"

namespace cw::tee::cli {

struct PagesOptions {
    std::string list_path;  // the JSON page list
    bool explain = false;   // list every measured page / operation
    bool json = false;      // print JSON instead of text
};

// Each prints the result on stdout; errors come back for main to print.
[[nodiscard]] Result<void> run_snp_pages(const PagesOptions& options);
[[nodiscard]] Result<void> run_tdx_pages(const PagesOptions& options);

// The --explain forms of an SNP digest's trace, shared by `snp-pages` and `launch`: one JSON
// object per page (type as page lists spell it, gpa, contents, digest), and the text table.
[[nodiscard]] nlohmann::ordered_json snp_trace_json(const SnpLaunchDigest& digest);
void print_snp_trace(const SnpLaunchDigest& digest);

}  // namespace cw::tee::cli
