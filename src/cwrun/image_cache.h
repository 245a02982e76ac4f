// cwrun IMAGE: where the files of a converted image are extracted to, once per image. The
// cache holds one directory per manifest digest (sha256-<hex>) with workload.json,
// measurement.json and the disk, exactly what `cwrun DIR` runs. A directory appears there
// only complete: it is filled under a temporary name beside it and renamed, so a crash or a
// refused image leaves no entry, and two cwruns extracting the same image both end with the
// one that renamed first. An existing entry is a hit: the image is still opened and its
// manifest verified (that names the entry), but its layer is not read again. The cache is the
// user's own directory and is trusted like the rest of their files.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace cw::cwrun {

// oci-archive:FILE[:TAG] or oci:DIR[:TAG] (a directory literally named "oci:x" is ./oci:x).
[[nodiscard]] bool is_image_reference(std::string_view arg);

// $CW_CACHE_DIR/images, else $XDG_CACHE_HOME/confidential-workloads/images, else
// $HOME/.cache/confidential-workloads/images (the guest kernel's cache sits beside it).
[[nodiscard]] Result<std::string> default_image_cache();

struct UnpackedImage {
    std::string dir;      // holds workload.json: what cwrun DIR takes
    bool cache_hit = false;
};

// Opens and verifies `reference`, refuses an image oci2cw did not convert, and returns its
// cache entry under `cache`, extracting it first on a miss.
[[nodiscard]] Result<UnpackedImage> unpack_image(const std::string& reference, const std::string& cache);

}  // namespace cw::cwrun
