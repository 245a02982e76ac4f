#include "cwrun/image_cache.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "cwrun/image_unpack.h"
#include "image/image.h"

namespace cw::cwrun {

namespace {

// What an oci-archive may stage (image/blob_store.h): the largest disk plus room for the
// entrypoint and the JSON documents.
constexpr uint64_t kMaxArchiveBytes = kMaxRootfsBytes + (uint64_t{256} << 20);

bool is_directory(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

void remove_tree(const std::string& path) {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
}

}  // namespace

bool is_image_reference(std::string_view arg) {
    return arg.starts_with("oci-archive:") || arg.starts_with("oci:");
}

Result<std::string> default_image_cache() {
    auto set = [](const char* name) -> const char* {
        const char* value = std::getenv(name);
        return value != nullptr && *value != '\0' ? value : nullptr;
    };
    if (const char* dir = set("CW_CACHE_DIR"))
        return std::string(dir) + "/images";
    if (const char* dir = set("XDG_CACHE_HOME"))
        return std::string(dir) + "/confidential-workloads/images";
    if (const char* home = set("HOME"))
        return std::string(home) + "/.cache/confidential-workloads/images";
    return Error::msg("no cache directory for images: set XDG_CACHE_HOME or HOME");
}

Result<UnpackedImage> unpack_image(const std::string& reference, const std::string& cache) {
    if (!is_image_reference(reference))
        return Error::msg("image reference \"" + reference + "\" is not oci-archive:FILE[:TAG] or oci:DIR[:TAG]");
    const oci::Image image = CW_TRY(oci::open_image(reference, kMaxArchiveBytes));
    if (!image.manifest)
        return Error::msg(reference + ": no manifest digest");  // docker-archive only; refused above
    const ConvertedImage converted = CW_TRY(check_converted(image, reference));

    const std::string entry = cache + "/sha256-" + image.manifest->hex;
    if (is_directory(entry))
        return UnpackedImage{entry, true};
    std::error_code ec;
    std::filesystem::create_directories(cache, ec);
    if (ec)
        return Error::msg("create " + cache + ": " + ec.message());
    std::string temp = cache + "/.partial-" + image.manifest->short_hex() + "-XXXXXX";
    if (::mkdtemp(temp.data()) == nullptr)
        return Error::sys("mkdtemp " + temp);
    auto unpacked = unpack_workload(image, converted, temp);
    if (!unpacked.ok()) {
        remove_tree(temp);
        return std::move(unpacked).error().context(reference);
    }
    if (::chmod(temp.c_str(), 0755) != 0 || ::rename(temp.c_str(), entry.c_str()) != 0) {
        const int err = errno;
        remove_tree(temp);
        // Another cwrun renamed the same image's entry first: theirs is as good as ours.
        if ((err == EEXIST || err == ENOTEMPTY) && is_directory(entry))
            return UnpackedImage{entry, false};
        return Error::sys("rename " + temp + " to " + entry, err);
    }
    return UnpackedImage{entry, false};
}

}  // namespace cw::cwrun
