#include "vmm/signal_relay.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "base/unique_fd.h"

namespace cw::vmm {

Result<std::unique_ptr<SignalRelay>> SignalRelay::create() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/cw-signal-XXXXXX";
    std::vector<char> path(pattern.begin(), pattern.end());
    path.push_back('\0');
    if (::mkdtemp(path.data()) == nullptr)
        return Error::sys("signal relay: mkdtemp " + pattern);
    std::string dir(path.data());
    std::string socket = dir + "/relay.sock";
    if (socket.size() >= sizeof(sockaddr_un::sun_path)) {
        ::rmdir(dir.c_str());
        return Error::msg("signal relay: socket path " + socket + " is too long (set TMPDIR to a shorter directory)");
    }
    return std::unique_ptr<SignalRelay>(new SignalRelay(std::move(dir), std::move(socket)));
}

SignalRelay::~SignalRelay() {
    ::unlink(m_socket.c_str());  // the vsock listener unlinks it too; whichever goes first
    ::rmdir(m_dir.c_str());
}

bool SignalRelay::forward(int signo, std::chrono::milliseconds timeout) const {
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd.valid())
        return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, m_socket.c_str(), m_socket.size() + 1);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
        return false;
    auto byte = static_cast<uint8_t>(signo);
    if (::send(fd.get(), &byte, 1, MSG_NOSIGNAL) != 1)
        return false;
    // The device connects to the guest only now; a guest that is not listening (still
    // booting, or not our guest-init) resets the connection and we read EOF.
    pollfd p{fd.get(), POLLIN, 0};
    int ready = 0;
    do {
        ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
    } while (ready < 0 && errno == EINTR);
    uint8_t ack = 0;
    return ready == 1 && ::recv(fd.get(), &ack, 1, 0) == 1 && ack == byte;
}

}  // namespace cw::vmm
