#include "guest-init/signal_relay.h"

#include <linux/vm_sockets.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <thread>

#include "base/unique_fd.h"
#include "workload/guest_abi.h"

namespace cw::guest {

namespace {

bool relayed(int signo) { return signo == SIGTERM || signo == SIGINT || signo == SIGHUP; }

void serve(UniqueFd listener) {
    // The signals PID 1 waits for must reach its main thread, never this one.
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGCHLD})
        sigaddset(&set, sig);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    for (;;) {
        UniqueFd conn(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (!conn.valid())
            continue;
        pollfd p{conn.get(), POLLIN, 0};
        uint8_t byte = 0;
        if (::poll(&p, 1, 1000) != 1 || ::recv(conn.get(), &byte, 1, 0) != 1 || !relayed(byte))
            continue;
        if (::kill(::getpid(), byte) == 0)
            ::send(conn.get(), &byte, 1, MSG_NOSIGNAL);
    }
}

}  // namespace

Result<UniqueFd> listen_signal_relay() {
    UniqueFd fd(::socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd.valid())
        return Error::sys("signal relay: vsock socket");
    sockaddr_vm addr{};
    addr.svm_family = AF_VSOCK;
    addr.svm_cid = VMADDR_CID_ANY;
    addr.svm_port = workload::kSignalRelayVsockPort;
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
        return Error::sys("signal relay: bind vsock port " + std::to_string(workload::kSignalRelayVsockPort));
    if (::listen(fd.get(), 4) != 0)
        return Error::sys("signal relay: listen");
    return fd;
}

void start_signal_relay(UniqueFd listener) { std::thread(serve, std::move(listener)).detach(); }

}  // namespace cw::guest
