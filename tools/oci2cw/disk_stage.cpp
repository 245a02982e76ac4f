#include "disk_stage.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "base/hex.h"
#include "base/unique_fd.h"
#include "disk/luks2.h"

namespace cw::oci {

namespace {

// Unlinks a path when the stage fails or, for the plaintext staging file of an encrypted
// disk, in every case.
class RemoveOnExit {
public:
    explicit RemoveOnExit(std::string path) : m_path(std::move(path)) {}
    RemoveOnExit(const RemoveOnExit&) = delete;
    RemoveOnExit& operator=(const RemoveOnExit&) = delete;
    ~RemoveOnExit() {
        if (!m_path.empty())
            ::unlink(m_path.c_str());
    }
    void keep() { m_path.clear(); }

private:
    std::string m_path;
};

Result<void> rename_into_place(const std::string& from, const std::string& to) {
    if (std::rename(from.c_str(), to.c_str()) != 0)
        return Error::sys("rename " + from);
    return {};
}

}  // namespace

std::array<uint8_t, disk::kVeritySaltSize> verity_salt(const Image& image) {
    Sha256 h;
    std::string domain = "oci2cw dm-verity salt v1\n";
    h.update(domain.data(), domain.size());
    for (const ImageLayer& layer : image.layers) {
        std::string line = layer.diff_id.str() + "\n";
        h.update(line.data(), line.size());
    }
    std::array<uint8_t, disk::kVeritySaltSize> salt{};
    auto bytes = from_hex(h.finish().hex);  // 64 validated hex characters
    std::copy_n(bytes->begin(), salt.size(), salt.begin());
    return salt;
}

Result<void> finish_disk(const std::string& staging, const std::string& out_dir,
                         std::span<const uint8_t, disk::kVeritySaltSize> salt, const disk::Secret* secret,
                         Artifacts& a) {
    RemoveOnExit remove_staging(staging);
    UniqueFd fd(::open(staging.c_str(), O_RDWR | O_CLOEXEC));
    if (!fd.valid())
        return Error::sys("open " + staging);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        return Error::sys("stat " + staging);
    a.squashfs_size = static_cast<uint64_t>(st.st_size);
    a.verity = CW_TRY(disk::append_verity_tree(fd.get(), a.squashfs_size, salt).context(staging));
    uint64_t plain_size = a.verity.hash_offset + a.verity.hash_size;

    if (secret == nullptr) {
        if (::fsync(fd.get()) != 0)
            return Error::sys("fsync " + staging);
        fd.reset();
        a.rootfs_file = kRootfsFile;
        CW_TRY(rename_into_place(staging, out_dir + "/" + kRootfsFile));
        remove_staging.keep();
        // A disk.img from an earlier --tee run would contradict image.json.
        ::unlink((out_dir + "/" + kDiskFile).c_str());
    } else {
        std::string disk_path = out_dir + "/" + kDiskFile;
        std::string partial = disk_path + ".partial";
        RemoveOnExit remove_partial(partial);
        a.luks = CW_TRY(disk::write_luks2_disk(partial, fd.get(), plain_size, secret->span()).context(partial));
        a.rootfs_file = kDiskFile;
        CW_TRY(rename_into_place(partial, disk_path));
        remove_partial.keep();
        // The plaintext must not be shipped beside the disk it was sealed into: the
        // staging file goes (RemoveOnExit), and so does a rootfs.squashfs of an earlier run.
        ::unlink((out_dir + "/" + kRootfsFile).c_str());
    }
    return hash_file(out_dir + "/" + a.rootfs_file, a.rootfs_sha256, a.rootfs_size);
}

}  // namespace cw::oci
