// PID 1 of the device-test initramfs: checks one virtio device from inside the guest and
// reports the verdict as its exit status (0 pass, 1 fail). The kernel passes the words
// after "--" on its command line as arguments:
//   rng                           /dev/hwrng is virtio-rng and returns data
//   blk ...                       block device checks (check_blk.cpp)
//   console ...                   hvc0 input and output (check_console.cpp)
//   vsock ...                     vsock streams to and from the host (check_vsock.cpp)
//   sim-report HEX128             the sim TEE's report service (check_sim_report.cpp)
// A separate initramfs from the boot tests' (test_init.cpp): it links OpenSSL's SHA-256
// statically, which would make every boot test and benchmark unpack 5 MB more.
#include <sys/mount.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "guest_util.h"

using namespace cw::guest_test;

int main(int argc, char** argv) {
    say("started");
    mount("proc", "/proc", "proc", 0, nullptr);
    mount("sysfs", "/sys", "sysfs", 0, nullptr);
    mount("devtmpfs", "/dev", "devtmpfs", 0, nullptr);
    if (argc < 2)
        fail("no check named", false);
    const char* command = argv[1];
    if (std::strcmp(command, "rng") == 0)
        check_rng(argc - 1, argv + 1);
    if (std::strcmp(command, "blk") == 0)
        check_blk(argc - 1, argv + 1);
    if (std::strcmp(command, "console") == 0)
        check_console(argc - 1, argv + 1);
    if (std::strcmp(command, "vsock") == 0)
        check_vsock(argc - 1, argv + 1);
    if (std::strcmp(command, "sim-report") == 0)
        check_sim_report(argc - 1, argv + 1);
    fail(std::string("unknown check '") + command + "'", false);
}
