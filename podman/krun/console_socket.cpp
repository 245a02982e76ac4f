#include "console_socket.h"

#include <fcntl.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

namespace cw::krun {

namespace {

Result<void> send_fd(const std::string& socket_path, int fd) {
    UniqueFd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!sock.valid())
        return Error::sys("console socket");
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socket_path.size() >= sizeof addr.sun_path)
        return Error::msg("--console-socket " + socket_path + ": path too long");
    std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
    if (::connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        return Error::sys("connecting to --console-socket " + socket_path);

    char name[] = "/dev/ptmx";  // what runc and crun send as the message body
    iovec iov{name, sizeof name - 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(cmsg), &fd, sizeof fd);
    if (::sendmsg(sock.get(), &msg, MSG_NOSIGNAL) < 0)
        return Error::sys("sending the terminal to --console-socket " + socket_path);
    return {};
}

}  // namespace

Result<UniqueFd> open_console(const std::string& socket_path) {
    int master = -1;
    int slave = -1;
    if (openpty(&master, &slave, nullptr, nullptr, nullptr) != 0)
        return Error::sys("openpty");
    UniqueFd master_fd(master);
    UniqueFd slave_fd(slave);
    CW_TRY(send_fd(socket_path, master_fd.get()));
    return slave_fd;
}

Result<void> adopt_console(UniqueFd slave) {
    if (ioctl(slave.get(), TIOCSCTTY, 0) != 0)
        return Error::sys("making the pty the controlling terminal");
    for (int target = 0; target <= 2; ++target) {
        if (dup2(slave.get(), target) < 0)
            return Error::sys("dup2 of the pty");
    }
    if (slave.get() <= 2)
        (void)slave.release();
    return {};
}

}  // namespace cw::krun
