#include "cwrun/image_unpack.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <memory>
#include <set>

#include "base/unique_fd.h"
#include "cwrun/workload_file.h"
#include "image/converted_labels.h"
#include "image/digest.h"
#include "layers/flatten.h"
#include "layers/layer_stream.h"

namespace cw::cwrun {

namespace {

constexpr size_t kCopyBufBytes = 1 << 20;

std::string not_converted(const std::string& reference) {
    return reference + " is not a converted confidential workload image: convert it with oci2cw";
}

// A disk name as oci2cw writes it (disk.img, rootfs.squashfs): one component of
// [A-Za-z0-9._-], not "." or "..", and none of the layer's other names.
bool valid_rootfs_name(const std::string& name) {
    if (name.empty() || name.size() > 255 || name == "." || name == ".." || name == kWorkloadFileName ||
        name == kMeasurementFileName || name == kEntrypointFileName)
        return false;
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                  c == '_' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

// The entry's path with any leading "/" and "./" dropped ("" for the layer root). A ".."
// component is refused outright, even where it would resolve inside the layer.
Result<std::string> entry_name(const std::string& path) {
    std::string rest = path;
    for (;;) {
        if (rest.starts_with("/"))
            rest.erase(0, 1);
        else if (rest.starts_with("./"))
            rest.erase(0, 2);
        else
            break;
    }
    if (rest == ".")
        rest.clear();
    if (rest.ends_with("/"))
        rest.pop_back();
    for (size_t pos = 0; pos <= rest.size();) {
        size_t next = rest.find('/', pos);
        if (next == std::string::npos)
            next = rest.size();
        if (rest.compare(pos, next - pos, "..") == 0)
            return Error::msg("layer entry \"" + path + "\": a path with \"..\"");
        pos = next + 1;
    }
    return rest;
}

const char* type_name(oci::EntryType type) {
    switch (type) {
    case oci::EntryType::regular: return "a regular file";
    case oci::EntryType::directory: return "a directory";
    case oci::EntryType::symlink: return "a symbolic link";
    case oci::EntryType::hardlink: return "a hard link";
    case oci::EntryType::char_device: return "a character device";
    case oci::EntryType::block_device: return "a block device";
    case oci::EntryType::fifo: return "a FIFO";
    }
    return "of an unknown type";
}

Result<void> write_all(int fd, const uint8_t* data, size_t size, const std::string& name) {
    for (size_t done = 0; done < size;) {
        ssize_t n = ::write(fd, data + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return Error::sys("write " + name);
        done += static_cast<size_t>(n);
    }
    return {};
}

// Streams the current entry into a new file `name` beneath `dir` (O_EXCL, O_NOFOLLOW: never
// through anything already there), a buffer at a time: the disk may be many GiB.
Result<void> copy_entry(oci::LayerStream& stream, const oci::TarEntry& entry, int dir, const std::string& name,
                        oci::Sha256* hash) {
    UniqueFd out(::openat(dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!out.valid())
        return Error::sys("create " + name);
    std::unique_ptr<uint8_t[]> buf(new uint8_t[kCopyBufBytes]);
    uint64_t total = 0;
    for (;;) {
        size_t n = CW_TRY(stream.read_data({buf.get(), kCopyBufBytes}).context("layer entry \"" + entry.path + "\""));
        if (n == 0)
            break;
        total += n;
        if (total > entry.size)
            break;
        if (hash != nullptr)
            hash->update(buf.get(), n);
        CW_TRY(write_all(out.get(), buf.get(), n, name));
    }
    if (total != entry.size)
        return Error::msg("layer entry \"" + entry.path + "\": content is not the " + std::to_string(entry.size) +
                          " bytes its header says");
    // Durable before the caller's rename publishes the directory as a complete cache entry.
    if (::fsync(out.get()) != 0)
        return Error::sys("fsync " + name);
    return {};
}

Result<void> read_layer(oci::LayerStream& stream, const ConvertedImage& converted, int dir) {
    const std::map<std::string, uint64_t> bounds = {
        {kWorkloadFileName, kMaxWorkloadFileBytes},
        {kMeasurementFileName, kMaxMeasurementFileBytes},
        {kEntrypointFileName, kMaxEntrypointBytes},
        {converted.rootfs_file, kMaxRootfsBytes},
    };
    std::set<std::string> seen;
    oci::Sha256 workload_hash;
    for (;;) {
        auto entry = CW_TRY(stream.next());
        if (!entry)
            break;
        const std::string name = CW_TRY(entry_name(entry->path));
        if (name.empty() && entry->type == oci::EntryType::directory)
            continue;  // the layer's root directory
        auto bound = bounds.find(name);
        if (bound == bounds.end())
            return Error::msg("layer entry \"" + entry->path + "\": not a file a converted image holds (" +
                              kWorkloadFileName + ", " + kMeasurementFileName + ", " + converted.rootfs_file +
                              ", " + kEntrypointFileName + ")");
        if (entry->type != oci::EntryType::regular)
            return Error::msg("layer entry \"" + entry->path + "\": " + type_name(entry->type) +
                              ", not a regular file");
        if (!seen.insert(name).second)
            return Error::msg("layer entry \"" + entry->path + "\": " + name + " appears twice");
        if (entry->size > bound->second)
            return Error::msg("layer entry \"" + entry->path + "\": " + std::to_string(entry->size) +
                              " bytes, more than the " + std::to_string(bound->second) + " allowed");
        if (name == kEntrypointFileName) {
            CW_TRY(stream.skip_data(*entry));  // the image's own program for `podman run`; cwrun has no use for it
            continue;
        }
        CW_TRY(copy_entry(stream, *entry, dir, name, name == kWorkloadFileName ? &workload_hash : nullptr));
    }
    // Nothing extracted counts before the layer's digests are checked.
    CW_TRY(stream.finish());
    for (const std::string& name : {std::string(kWorkloadFileName), converted.rootfs_file}) {
        if (seen.count(name) == 0)
            return Error::msg("the layer has no " + name);
    }
    if (converted.measured && seen.count(kMeasurementFileName) == 0)
        return Error::msg("the image is labelled measured but the layer has no " + std::string(kMeasurementFileName));
    if (workload_hash.finish().hex != converted.workload_sha256)
        return Error::msg(std::string(kWorkloadFileName) + " does not match the label " + oci::label::kWorkloadSha256);
    return {};
}

}  // namespace

Result<ConvertedImage> check_converted(const oci::Image& image, const std::string& reference) {
    const auto& labels = image.config.labels;
    auto version = labels.find(oci::label::kFormatVersion);
    auto rootfs = labels.find(oci::label::kRootfs);
    auto workload_sha256 = labels.find(oci::label::kWorkloadSha256);
    if (version == labels.end() || rootfs == labels.end() || workload_sha256 == labels.end())
        return Error::msg(not_converted(reference));
    if (version->second != "1")
        return Error::msg(reference + ": label " + oci::label::kFormatVersion + " \"" + version->second +
                          "\": this cwrun reads format version 1");
    if (!valid_rootfs_name(rootfs->second))
        return Error::msg(reference + ": label " + oci::label::kRootfs + " \"" + rootfs->second +
                          "\" is not a plain file name");
    if (!oci::is_sha256_hex(workload_sha256->second))
        return Error::msg(reference + ": label " + oci::label::kWorkloadSha256 + " is not 64 lowercase hex digits");
    if (image.layers.size() != 1)
        return Error::msg(reference + ": " + std::to_string(image.layers.size()) +
                          " layers; a converted image has exactly one");
    return ConvertedImage{rootfs->second, workload_sha256->second, labels.count(oci::label::kMeasurement) != 0};
}

Result<void> unpack_workload(const oci::Image& image, const ConvertedImage& converted, const std::string& dir) {
    UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dir_fd.valid())
        return Error::sys("open " + dir);
    oci::Limits limits;
    const std::string name = oci::layer_name(image, 0);
    uint64_t budget = limits.max_total_bytes;
    auto stream = CW_TRY(oci::open_layer(image, 0, limits, budget).context(name));
    auto read = read_layer(*stream, converted, dir_fd.get());
    if (!read.ok()) {
        // A corrupted blob shows up first as tar garbage or a strange entry: name the digest if
        // that is the cause (as oci2cw's flatten does).
        uint64_t verify_budget = limits.max_total_bytes;
        auto fresh = CW_TRY(oci::open_layer(image, 0, limits, verify_budget).context(name));
        CW_TRY(fresh->verify_only().context(name));
        return std::move(read).error().context(name);
    }
    return {};
}

}  // namespace cw::cwrun
