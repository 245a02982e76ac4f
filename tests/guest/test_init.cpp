// PID 1 of the VMM test initramfs. The kernel passes the words after "--" on its command
// line as arguments:
//   exit N     print a marker and stop the VM with exit status N
//   info       print what the guest sees (online CPUs, MemTotal), then exit 0
//   sleep      wait forever (the host stops the VM)
//   return     return from init: the kernel panics, the VM stops with no status
// It reports its status the way the guest init will (docs/guest-abi.md): one byte on
// the exit-status port, then a reboot, which the VMM sees as the i8042 reset.
#include <sys/mount.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "guest_util.h"

using cw::guest_test::stop_vm;

namespace {

long memtotal_kib() {
    FILE* f = std::fopen("/proc/meminfo", "r");
    if (f == nullptr)
        return -1;
    char line[256];
    long kib = -1;
    while (std::fgets(line, sizeof line, f) != nullptr) {
        if (std::sscanf(line, "MemTotal: %ld kB", &kib) == 1)
            break;
    }
    std::fclose(f);
    return kib;
}

}  // namespace

int main(int argc, char** argv) {
    std::printf("cw-test-init: started\n");
    std::fflush(stdout);
    mount("proc", "/proc", "proc", 0, nullptr);
    mount("sysfs", "/sys", "sysfs", 0, nullptr);

    const char* command = argc > 1 ? argv[1] : "exit";
    if (std::strcmp(command, "exit") == 0)
        stop_vm(argc > 2 ? std::atoi(argv[2]) : 0);
    if (std::strcmp(command, "info") == 0) {
        std::printf("cw-test-init: cpus_online=%ld memtotal_kib=%ld\n", sysconf(_SC_NPROCESSORS_ONLN), memtotal_kib());
        stop_vm(0);
    }
    if (std::strcmp(command, "sleep") == 0) {
        for (;;)
            pause();
    }
    if (std::strcmp(command, "return") == 0)
        return 0;
    std::printf("cw-test-init: unknown command '%s'\n", command);
    stop_vm(99);
}
