// /etc/passwd and /etc/group of the workload image, and the OCI "user" string resolved
// against them (the way podman/runc do: "name", "uid", "name:group", "uid:gid").
//
// Trust: the files come from the image, which the workload's author controls; they are
// verified by dm-verity but not sane by construction. Every line is parsed strictly and
// bounded; a malformed line is refused with its line number rather than skipped, so a
// lookup never silently lands on the wrong entry.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace cw::guest {

inline constexpr size_t kMaxUserDbBytes = 1 << 20;  // per file
inline constexpr size_t kMaxUserDbLine = 4096;
inline constexpr size_t kMaxUserDbEntries = 65536;
inline constexpr size_t kMaxSupplementaryGroups = 256;

struct PasswdEntry {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
    std::string home;
};

struct GroupEntry {
    std::string name;
    gid_t gid = 0;
    std::vector<std::string> members;
};

// "name:password:uid:gid:gecos:home:shell" per line; blank lines and '#' comments skipped.
Result<std::vector<PasswdEntry>> parse_passwd(std::string_view text);
// "name:password:gid:member,member" per line; blank lines and '#' comments skipped.
Result<std::vector<GroupEntry>> parse_group(std::string_view text);

struct ResolvedUser {
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> supplementary;  // groups listing the user by name, sorted, no duplicates
    std::string home = "/";            // from passwd, "/" when the user has no entry
};

// Resolves an OCI user string ("" is root) against parsed databases.
Result<ResolvedUser> resolve_user(std::string_view spec, const std::vector<PasswdEntry>& passwd,
                                  const std::vector<GroupEntry>& groups);

// Reads and parses ROOT/etc/passwd and ROOT/etc/group (a missing file is an empty database)
// and resolves `spec`. Numeric "uid:gid" needs neither file and reads none.
Result<ResolvedUser> resolve_user_in_root(std::string_view spec, const std::string& root);

// A decimal id in [0, 2^32 - 2] (2^32 - 1 is (uid_t)-1, "no change" to setresuid), or error.
Result<uint32_t> parse_numeric_id(std::string_view text);

}  // namespace cw::guest
