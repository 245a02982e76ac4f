#include "cwrun/image_launch.h"

#include <sys/stat.h>

#include <array>
#include <fstream>

#include "cwrun/attest_forward.h"
#include "cwrun/guest_args.h"
#include "cwrun/printable.h"
#include "tee/sim/report_service.h"

namespace cw::cwrun {

namespace {

// Whether two files hold the same bytes: the measurement covers the kernel's and initramfs's
// contents, not their paths, so the project's kernel given by its build path is no change.
Result<bool> same_contents(const std::string& a, const std::string& b) {
    struct stat sa {};
    struct stat sb {};
    if (::stat(a.c_str(), &sa) != 0)
        return Error::sys(a);
    if (::stat(b.c_str(), &sb) != 0)
        return Error::sys(b);
    if (sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino)
        return true;
    if (!S_ISREG(sa.st_mode) || !S_ISREG(sb.st_mode) || sa.st_size != sb.st_size)
        return false;
    std::ifstream fa(a, std::ios::binary);
    std::ifstream fb(b, std::ios::binary);
    if (!fa || !fb)
        return Error::sys(!fa ? a : b);
    std::array<char, 1 << 16> ba{};
    std::array<char, 1 << 16> bb{};
    while (fa && fb) {
        fa.read(ba.data(), ba.size());
        fb.read(bb.data(), bb.size());
        if (fa.gcount() != fb.gcount() || !std::equal(ba.begin(), ba.begin() + fa.gcount(), bb.begin()))
            return false;
    }
    return fa.eof() && fb.eof();
}

class Planner {
public:
    Planner(const WorkloadFile& workload, const ImageOptions& options, const DefaultBootFiles& defaults)
        : m_w(workload), m_o(options), m_d(defaults), m_measured(workload.tee != "none") {}

    Result<ImageLaunch> plan() {
        if (m_o.workload_config)
            return Error::msg("--workload-config: image mode takes the workload configuration from WORKLOAD (" +
                              m_w.config_path + ")");
        const std::string args = CW_TRY(guest_args_cmdline(m_o.guest_args));
        ImageLaunch out;
        out.workload_config = m_w.config_path;
        out.rootfs = m_w.rootfs_path;
        out.tee = CW_TRY(choose("--tee", m_o.tee, m_w.tee, "workload.json: " + m_w.tee));
        out.cpus = static_cast<uint32_t>(CW_TRY(choose_number("--cpus", m_o.cpus, m_w.cpus)));
        out.mem_mib = static_cast<uint32_t>(CW_TRY(choose_number("--mem", m_o.mem, m_w.ram_mib)));
        out.console = CW_TRY(choose("--console", m_o.console, "virtio", "measured with the virtio console"));
        std::string cmdline = CW_TRY(choose("--cmdline", nonempty(m_o.cmdline), "", "measured without --cmdline"));
        out.cmdline = cmdline.empty() && !args.empty() ? args.substr(1) : cmdline + args;
        out.measured_guest_args = m_measured && !args.empty();
        if (m_measured && !m_o.extra_disks.empty())
            return changes("--disk " + printable(m_o.extra_disks.front()), "launched with one disk, its rootfs");
        out.extra_disks = m_o.extra_disks;
        out.vsock_forward = CW_TRY(attestation_forward(out.tee));
        // Last: these read files.
        out.kernel = CW_TRY(boot_file("--kernel", m_o.kernel, m_d.kernel, "kernel"));
        out.initrd = CW_TRY(boot_file("--initrd", m_o.initrd, m_d.initrd, "initramfs"));
        return out;
    }

private:
    Error changes(const std::string& given, const std::string& workload_side) const {
        return Error::msg(given + " would change the launch measurement of this " + m_w.tee + " workload (" +
                          workload_side + "); the attestation server would refuse it");
    }

    static std::optional<std::string> nonempty(const std::optional<std::string>& value) {
        return value && !value->empty() ? value : std::nullopt;
    }

    Result<std::string> choose(const std::string& option, const std::optional<std::string>& given,
                               const std::string& workload_value, const std::string& workload_side) const {
        if (!given || *given == workload_value)
            return workload_value;
        if (m_measured)
            return changes(option + " " + printable(*given), workload_side);
        return *given;
    }

    Result<int64_t> choose_number(const std::string& option, const std::optional<int>& given,
                                  uint32_t workload_value) const {
        if (!given || *given == static_cast<int64_t>(workload_value))
            return workload_value;
        if (m_measured)
            return changes(option + " " + std::to_string(*given), "workload.json: " + std::to_string(workload_value));
        if (*given < 1)
            return Error::msg(option + " " + std::to_string(*given) + ": must be positive");
        return *given;
    }

    // The kernel or initramfs: the project's unless overridden; a TEE workload was measured
    // with the project's, so another file with different bytes is refused.
    Result<std::string> boot_file(const std::string& option, const std::optional<std::string>& given,
                                  const std::string& project_file, const std::string& what) const {
        if (!given) {
            if (project_file.empty())
                return Error::msg("no " + option + " given and the project's guest " + what +
                                  " is not installed or built");
            return project_file;
        }
        if (m_measured && !project_file.empty()) {
            const bool same = CW_TRY(same_contents(*given, project_file).context(option));
            if (!same)
                return changes(option + " " + printable(*given),
                               "measured with the project's " + what + " " + project_file);
        }
        return *given;
    }

    // Guest connections to host vsock port PORT (the measured attestation_url's) go to the
    // attestation server: where that URL says, or where --attest-url says. The guest still
    // checks the server's certificate against the measured URL's host and CA.
    Result<std::optional<std::string>> attestation_forward(const std::string& tee) const {
        if (m_o.attest_url && !m_w.attestation)
            return Error::msg("--attest-url: " + m_w.config_path + " has no attestation_url (its guest does not attest)");
        if (m_o.attest_url && !m_measured)
            return Error::msg("--attest-url: a tee none workload does not attest");
        if (!m_w.attestation || !m_measured)
            return std::optional<std::string>();
        const uint32_t port = m_w.attestation->port;
        if (tee == "sim" && port == tee::kSimReportVsockPort)
            return Error::msg("attestation_url port " + std::to_string(port) +
                              " is the vsock port of the sim report service; register the server on another port");
        workload::ServerUrl target = *m_w.attestation;
        if (m_o.attest_url) {
            auto given = workload::parse_server_url(*m_o.attest_url);
            if (!given)
                return Error::msg("--attest-url \"" + printable(*m_o.attest_url) + "\": " + given.error().message());
            target = std::move(*given);
        }
        return std::optional<std::string>(vsock_forward_spec(port, target));
    }

    const WorkloadFile& m_w;
    const ImageOptions& m_o;
    const DefaultBootFiles& m_d;
    const bool m_measured;
};

}  // namespace

Result<ImageLaunch> plan_image_launch(const WorkloadFile& workload, const ImageOptions& options,
                                      const DefaultBootFiles& defaults) {
    return Planner(workload, options, defaults).plan();
}

}  // namespace cw::cwrun
