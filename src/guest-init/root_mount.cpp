#include "guest-init/root_mount.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace cw::guest {

namespace {

constexpr const char* kLower = "/cw/lower";
constexpr const char* kRw = "/cw/rw";  // tmpfs holding the overlay's upper and work dirs
constexpr const char* kNewRoot = "/cw/root";

Result<void> make_dir(const std::string& path, mode_t mode = 0755) {
    if (mkdir(path.c_str(), mode) != 0 && errno != EEXIST)
        return Error::sys("mkdir " + path);
    return {};
}

}  // namespace

Result<std::string> mount_root(const std::string& device) {
    for (const char* dir : {"/cw", kLower, kRw, kNewRoot})
        CW_TRY(make_dir(dir));
    if (mount(device.c_str(), kLower, "squashfs", MS_RDONLY, nullptr) != 0)
        return Error::sys("mount squashfs " + device + " read-only");
    if (mount("tmpfs", kRw, "tmpfs", 0, "mode=0755") != 0)
        return Error::sys("mount tmpfs for the overlay");
    CW_TRY(make_dir(std::string(kRw) + "/upper"));
    CW_TRY(make_dir(std::string(kRw) + "/work"));
    std::string options = std::string("lowerdir=") + kLower + ",upperdir=" + kRw + "/upper,workdir=" + kRw + "/work";
    if (mount("overlay", kNewRoot, "overlay", 0, options.c_str()) != 0)
        return Error::sys("mount overlay");
    return std::string(kNewRoot);
}

Result<void> switch_root(const std::string& new_root) {
    // The image may lack the mount points; the overlay is writable, so create them.
    for (const char* dir : {"/dev", "/proc", "/sys", "/run"}) {
        std::string target = new_root + dir;
        CW_TRY(make_dir(target));
        if (mount(dir, target.c_str(), nullptr, MS_MOVE, nullptr) != 0)
            return Error::sys(std::string("moving ") + dir + " into the new root");
    }
    CW_TRY(make_dir(new_root + "/tmp", 01777));
    if (chdir(new_root.c_str()) != 0)
        return Error::sys("chdir " + new_root);
    // The initramfs cannot be pivot_root'ed away: move the new root over it, as switch_root does.
    if (mount(new_root.c_str(), "/", nullptr, MS_MOVE, nullptr) != 0)
        return Error::sys("moving the new root onto /");
    if (chroot(".") != 0)
        return Error::sys("chroot");
    if (chdir("/") != 0)
        return Error::sys("chdir /");
    return {};
}

}  // namespace cw::guest
