#include "tee/sim/report_service.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "evidence/x509/keys.h"

namespace cw::tee {

namespace {

// Reads or writes exactly `len` bytes before `deadline`; false on EOF, error or timeout.
template <class Op>
bool transfer_all(int fd, uint8_t* data, size_t len, short events, std::chrono::steady_clock::time_point deadline,
                  Op op) {
    size_t done = 0;
    while (done < len) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return false;
        pollfd p{fd, events, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
            continue;  // timeout re-checked above; EINTR retried
        ssize_t n = op(fd, data + done, len - done);
        if (n <= 0) {
            if (n < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            return false;
        }
        done += static_cast<size_t>(n);
    }
    return true;
}

}  // namespace

Result<std::unique_ptr<SimReportService>> SimReportService::start(const std::string& key_path,
                                                                  const attest::SimReportInput& fields) {
    auto key = CW_TRY(attest::load_private_key_file(key_path).context("--sim-key " + key_path));
    auto curve = CW_TRY(attest::ec_key_curve(key.get()).context("--sim-key " + key_path));
    if (curve != attest::EcCurve::P384)
        return Error::msg("--sim-key " + key_path + ": not a P-384 key");

    const char* tmp = std::getenv("TMPDIR");
    std::string dir_template = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/cw-sim-XXXXXX";
    if (::mkdtemp(dir_template.data()) == nullptr)
        return Error::sys("sim report service: mkdtemp " + dir_template);
    std::string socket_path = dir_template + "/report.sock";
    auto cleanup_dir = [&] { ::rmdir(dir_template.c_str()); };

    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socket_path.size() >= sizeof addr.sun_path) {
        cleanup_dir();
        return Error::msg("sim report service: socket path too long: " + socket_path);
    }
    std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
    UniqueFd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!listener.valid() || ::bind(listener.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener.get(), kSimReportBacklog) != 0) {
        auto err = Error::sys("sim report service: listening on " + socket_path);
        ::unlink(socket_path.c_str());
        cleanup_dir();
        return err;
    }
    auto stop = EventFd::create();
    if (!stop.ok()) {
        ::unlink(socket_path.c_str());
        cleanup_dir();
        return std::move(stop).error();
    }
    std::unique_ptr<SimReportService> service(
        new SimReportService(std::move(key), fields, dir_template, std::move(listener), std::move(stop).value()));
    service->m_thread = std::thread([s = service.get()] { s->serve(); });
    return service;
}

SimReportService::SimReportService(attest::EvpPkeyPtr key, attest::SimReportInput fields, std::string dir,
                                   UniqueFd listener, EventFd stop)
    : m_key(std::move(key)), m_fields(fields), m_dir(std::move(dir)), m_socket_path(m_dir + "/report.sock"),
      m_listener(std::move(listener)), m_stop(std::move(stop)) {}

SimReportService::~SimReportService() {
    m_stop.notify();
    if (m_thread.joinable())
        m_thread.join();
    ::unlink(m_socket_path.c_str());
    ::rmdir(m_dir.c_str());
}

void SimReportService::serve() {
    for (;;) {
        pollfd fds[2] = {{m_stop.fd(), POLLIN, 0}, {m_listener.get(), POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        if ((fds[0].revents & POLLIN) != 0)
            return;
        UniqueFd connection(::accept4(m_listener.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
        if (connection.valid())
            answer(connection.get());
    }
}

void SimReportService::answer(int connection) const {
    const auto deadline = std::chrono::steady_clock::now() + kSimReportTimeout;
    attest::SimReportInput input = m_fields;
    if (!transfer_all(connection, input.report_data.data(), input.report_data.size(), POLLIN, deadline,
                      [](int fd, uint8_t* p, size_t n) { return ::read(fd, p, n); }))
        return;
    auto report = attest::create_sim_report(input, m_key.get());
    if (!report.ok()) {
        std::fprintf(stderr, "cw-vmm: sim report: %s\n", report.error().to_string().c_str());
        return;
    }
    transfer_all(connection, report->data(), report->size(), POLLOUT, deadline,
                 [](int fd, uint8_t* p, size_t n) { return ::send(fd, p, n, MSG_NOSIGNAL); });
}

}  // namespace cw::tee
