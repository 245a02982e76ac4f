#include "evidence/tdx/tcb_status.h"

#include <array>
#include <utility>

namespace cw::attest {

namespace {

constexpr std::array<std::pair<TcbStatus, std::string_view>, 7> kNames = {{
    {TcbStatus::UpToDate, "UpToDate"},
    {TcbStatus::SWHardeningNeeded, "SWHardeningNeeded"},
    {TcbStatus::ConfigurationNeeded, "ConfigurationNeeded"},
    {TcbStatus::ConfigurationAndSWHardeningNeeded, "ConfigurationAndSWHardeningNeeded"},
    {TcbStatus::OutOfDate, "OutOfDate"},
    {TcbStatus::OutOfDateConfigurationNeeded, "OutOfDateConfigurationNeeded"},
    {TcbStatus::Revoked, "Revoked"},
}};

}  // namespace

std::string_view tcb_status_name(TcbStatus status) {
    for (const auto& [value, name] : kNames)
        if (value == status)
            return name;
    return "Unknown";
}

std::optional<TcbStatus> parse_tcb_status(std::string_view name) {
    for (const auto& [value, spelling] : kNames)
        if (spelling == name)
            return value;
    return std::nullopt;
}

}  // namespace cw::attest
