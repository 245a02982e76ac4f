#include "workload_id.h"

#include "protocol/protocol.h"
#include "protocol/tls_http.h"

namespace cw::oci {

namespace {

constexpr size_t kMaxIdLength = 128;

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

Result<std::string> default_workload_id(std::string_view reference) {
    std::string_view rest = reference;
    bool may_have_tag = true;
    for (std::string_view transport : {"oci:", "oci-archive:", "docker-archive:", "containers-storage:"}) {
        if (rest.substr(0, transport.size()) == transport) {
            may_have_tag = transport != "docker-archive:";
            rest.remove_prefix(transport.size());
            break;
        }
    }
    std::string_view tag;
    size_t slash = rest.rfind('/');
    size_t colon = rest.rfind(':');
    if (may_have_tag && colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
        tag = rest.substr(colon + 1);
        rest = rest.substr(0, colon);
    }
    while (!rest.empty() && rest.back() == '/')
        rest.remove_suffix(1);
    std::string_view name = rest.substr(rest.rfind('/') == std::string_view::npos ? 0 : rest.rfind('/') + 1);
    for (std::string_view ext : {".tar.gz", ".tar.zst", ".tgz", ".tar"}) {
        if (ends_with(name, ext)) {
            name.remove_suffix(ext.size());
            break;
        }
    }
    std::string raw = std::string(name) + (tag.empty() ? "" : "-" + std::string(tag));
    std::string id;
    for (char c : raw) {
        char l = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
        bool allowed = (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '.' || l == '_' || l == '-';
        bool first_ok = (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9');
        if (id.empty() && !first_ok)
            continue;
        id += allowed ? l : '-';
        if (id.size() == kMaxIdLength)
            break;
    }
    if (!attest::protocol::valid_workload_id(id))
        return Error::msg("cannot derive a workload id from the image reference \"" + std::string(reference) +
                          "\": give --workload-id");
    return id;
}

Result<void> check_workload_id(std::string_view id) {
    if (!attest::protocol::valid_workload_id(id))
        return Error::msg("--workload-id \"" + attest::protocol::detail::one_line(id) +
                          "\": expected 1 to 128 characters from [a-z0-9._-], starting with a letter or digit");
    return {};
}

}  // namespace cw::oci
