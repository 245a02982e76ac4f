#include "guest_util.h"

#include <linux/vm_sockets.h>
#include <sys/io.h>
#include <sys/socket.h>
#include <sys/reboot.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace cw::guest_test {

namespace {
constexpr unsigned short kExitStatusPort = 0x600;  // docs/guest-abi.md
}

void stop_vm(int status) {
    std::printf("cw-test-init: exiting with %d\n", status);
    std::fflush(stdout);
    if (ioperm(kExitStatusPort, 1, 1) != 0) {
        std::perror("cw-test-init: ioperm");
    } else {
        outb(static_cast<unsigned char>(status), kExitStatusPort);
    }
    sync();
    reboot(RB_AUTOBOOT);
    for (;;)
        pause();
}

void fail(const std::string& what, bool errno_too) {
    if (errno_too)
        std::printf("cw-test-init: FAIL: %s: %s\n", what.c_str(), std::strerror(errno));
    else
        std::printf("cw-test-init: FAIL: %s\n", what.c_str());
    stop_vm(1);
}

void say(const char* format, ...) {
    std::fputs("cw-test-init: ", stdout);
    va_list args;
    va_start(args, format);
    std::vprintf(format, args);
    va_end(args);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

int vsock_connect_host(unsigned port) {
    int fd = socket(AF_VSOCK, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    sockaddr_vm addr{};
    addr.svm_family = AF_VSOCK;
    addr.svm_cid = VMADDR_CID_HOST;
    addr.svm_port = port;
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        const int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

}  // namespace cw::guest_test
