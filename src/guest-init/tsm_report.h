// Evidence from configfs-tsm (Linux Documentation/ABI/testing/configfs-tsm, v6.7+): the
// TEE-neutral report interface SNP ("sev_guest") and TDX ("tdx_guest") guests share.
//   mkdir REPORT_ROOT/NAME      a report object (REPORT_ROOT: /sys/kernel/config/tsm/report)
//   write NAME/inblob           up to 64 bytes of user data (our REPORT_DATA); bumps generation
//   read  NAME/outblob          the report (SNP) or quote (TDX), at most 32 KiB
//   read  NAME/auxblob          SNP: the certificate table (snp_cert_table.h); may be absent
//   read  NAME/provider         which TSM produced it
//   read  NAME/generation       compared before and after: another writer changes it
//   rmdir NAME
//
// Trust: the kernel's TSM driver in our own (measured) kernel. auxblob is host data.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace cw::guest {

inline constexpr const char* kTsmReportRoot = "/sys/kernel/config/tsm/report";
inline constexpr size_t kTsmOutblobMax = 32 * 1024;  // TSM_OUTBLOB_MAX
inline constexpr size_t kTsmAuxblobMax = 64 * 1024;

struct TsmReport {
    std::string provider;
    std::vector<uint8_t> outblob;
    std::vector<uint8_t> auxblob;  // empty when the attribute is absent or empty
};

// One report in an existing report directory (the steps between mkdir and rmdir).
// `expected_provider` ("sev_guest", "tdx_guest") is checked before inblob is written.
Result<TsmReport> tsm_report_in(const std::string& entry_dir, const std::array<uint8_t, 64>& inblob,
                                const std::string& expected_provider);

// mkdir a fresh entry under `root`, tsm_report_in, rmdir it (also on failure).
Result<TsmReport> tsm_report(const std::string& root, const std::array<uint8_t, 64>& inblob,
                             const std::string& expected_provider);

}  // namespace cw::guest
