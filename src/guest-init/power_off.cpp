#include "guest-init/power_off.h"

#include <sys/io.h>
#include <sys/reboot.h>
#include <unistd.h>

#include <cstdio>

namespace cw::guest {

namespace {
constexpr unsigned short kExitStatusPort = 0x600;
}

void power_off(int status) {
    std::fflush(stdout);
    std::fflush(stderr);
    if (ioperm(kExitStatusPort, 1, 1) != 0)
        std::perror("cw-guest-init: ioperm 0x600");
    else
        outb(static_cast<unsigned char>(status), kExitStatusPort);
    sync();
    reboot(RB_AUTOBOOT);
    for (;;)
        pause();
}

}  // namespace cw::guest
