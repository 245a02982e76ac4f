// cw-measure's page-list subcommands: `snp-pages` and `tdx-pages` digest an explicit JSON
// page list (page_list_json.h), for checking our measurements against other tools.
#pragma once

#include <string>

#include "base/result.h"

namespace cw::tee::cli {

struct PagesOptions {
    std::string list_path;  // the JSON page list
    bool explain = false;   // list every measured page / operation
    bool json = false;      // print JSON instead of text
};

// Each prints the result on stdout; errors come back for main to print.
[[nodiscard]] Result<void> run_snp_pages(const PagesOptions& options);
[[nodiscard]] Result<void> run_tdx_pages(const PagesOptions& options);

}  // namespace cw::tee::cli
