#include "guest-init/early_boot.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

using namespace cw::guest;

// The mounts themselves need a guest (or root in a namespace); what runs here is the check
// that makes them idempotent.
TEST_CASE("is_mount_point sees the root and /proc, not a plain directory") {
    CHECK(is_mount_point("/").value());
    CHECK(is_mount_point("/proc").value());
    char tmpl[] = "/tmp/cw-mnt-test-XXXXXX";
    std::string dir = mkdtemp(tmpl);
    CHECK_FALSE(is_mount_point(dir).value());
    rmdir(dir.c_str());
    CHECK_FALSE(is_mount_point("/nonexistent-cw").ok());
}

TEST_CASE("hostnames are bounded") {
    CHECK_FALSE(set_hostname("").ok());
    CHECK_FALSE(set_hostname(std::string(65, 'a')).ok());
}
