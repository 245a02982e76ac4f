#include "guest-init/early_boot.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/unique_fd.h"

namespace cw::guest {

namespace {

struct PseudoMount {
    const char* source;
    const char* target;
    const char* fstype;
    unsigned long flags;
    const char* data;
};

// Order matters: configfs lives under /sys.
constexpr PseudoMount kMounts[] = {
    {"proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr},
    {"sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr},
    {"devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755"},
    {"tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755"},
    {"configfs", "/sys/kernel/config", "configfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr},
};

Result<void> set_lo_ipv4(int fd, unsigned long request, const char* address, const char* what) {
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    inet_pton(AF_INET, address, &sin.sin_addr);
    std::memcpy(&ifr.ifr_addr, &sin, sizeof sin);
    if (ioctl(fd, request, &ifr) != 0 && errno != EEXIST)
        return Error::sys(std::string("lo: ") + what);
    return {};
}

}  // namespace

Result<bool> is_mount_point(const std::string& path) {
    struct stat self {};
    struct stat parent {};
    if (stat(path.c_str(), &self) != 0)
        return Error::sys("stat " + path);
    if (stat((path + "/..").c_str(), &parent) != 0)
        return Error::sys("stat " + path + "/..");
    return self.st_dev != parent.st_dev || self.st_ino == parent.st_ino;
}

Result<void> mount_pseudo_filesystems() {
    for (const auto& m : kMounts) {
        if (mkdir(m.target, 0755) != 0 && errno != EEXIST)
            return Error::sys(std::string("mkdir ") + m.target);
        if (CW_TRY(is_mount_point(m.target)))
            continue;
        if (mount(m.source, m.target, m.fstype, m.flags, m.data) != 0)
            return Error::sys(std::string("mount ") + m.fstype + " on " + m.target);
    }
    return {};
}

Result<void> bring_up_loopback() {
    UniqueFd fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd.valid())
        return Error::sys("lo: socket");
    CW_TRY(set_lo_ipv4(fd.get(), SIOCSIFADDR, "127.0.0.1", "SIOCSIFADDR 127.0.0.1"));
    CW_TRY(set_lo_ipv4(fd.get(), SIOCSIFNETMASK, "255.0.0.0", "SIOCSIFNETMASK 255.0.0.0"));
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    if (ioctl(fd.get(), SIOCGIFFLAGS, &ifr) != 0)
        return Error::sys("lo: SIOCGIFFLAGS");
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
    if (ioctl(fd.get(), SIOCSIFFLAGS, &ifr) != 0)
        return Error::sys("lo: SIOCSIFFLAGS up");
    return {};
}

Result<void> set_hostname(const std::string& name) {
    if (name.empty() || name.size() > 64)
        return Error::msg("hostname of " + std::to_string(name.size()) + " characters (1 to 64)");
    if (sethostname(name.data(), name.size()) != 0)
        return Error::sys("sethostname");
    return {};
}

}  // namespace cw::guest
