// Rules every Store backend shares.
#include "store/store.h"

namespace cw::attest::store {

namespace {

bool id_start_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

}  // namespace

bool valid_workload_id(std::string_view id) {
    if (id.empty() || id.size() > 128 || !id_start_char(id[0]))
        return false;
    for (char c : id)
        if (!id_start_char(c) && c != '.' && c != '_' && c != '-')
            return false;
    return true;
}

std::string clip_audit_field(std::string_view field) {
    if (field.size() <= kMaxAuditFieldBytes)
        return std::string(field);
    constexpr std::string_view kMark = "...";
    size_t cut = kMaxAuditFieldBytes - kMark.size();
    // Back off UTF-8 continuation bytes (10xxxxxx) so the cut never splits a character:
    // the server turns these fields into JSON, which must stay valid UTF-8.
    while (cut > 0 && (static_cast<uint8_t>(field[cut]) & 0xC0) == 0x80)
        --cut;
    return std::string(field.substr(0, cut)) + std::string(kMark);
}

}  // namespace cw::attest::store
