// /etc/passwd and /etc/group from a workload image (src/guest-init/user_db.h): the input
// is split at the first NUL into passwd and group text; a user spec is resolved when both
// parse. Never crashes, never accepts more than the documented bounds.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "guest-init/user_db.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view all(reinterpret_cast<const char*>(data), size);
    size_t nul = all.find('\0');
    std::string_view passwd = all.substr(0, nul);
    std::string_view group = nul == std::string_view::npos ? std::string_view() : all.substr(nul + 1);
    std::string_view spec = passwd.substr(0, passwd.find('\n') == std::string_view::npos ? 0 : passwd.find('\n'));
    auto users = cw::guest::parse_passwd(passwd);
    auto groups = cw::guest::parse_group(group);
    if (users.ok() && groups.ok()) {
        auto resolved = cw::guest::resolve_user(spec.substr(0, 32), users.value(), groups.value());
        if (resolved.ok() && resolved.value().supplementary.size() > cw::guest::kMaxSupplementaryGroups)
            __builtin_trap();
    }
    return 0;
}
