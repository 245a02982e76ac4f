// cwrun IMAGE: from an OCI image oci2cw --output-image wrote to the files `cwrun DIR` runs.
// The image comes from the user (a file they were given, perhaps): it is read with oci2cw's
// verified reader (every blob checked against its digest and size), and of its one layer
// only workload.json, measurement.json and the disk file its labels name are written out,
// each a regular file under a bound; any other name, a path with "..", a link or a device
// refuses the whole image, so nothing is ever written outside the target directory. What is
// extracted grants nothing by itself: cwrun then reads workload.json as in DIR mode, and the
// disk is checked by dm-verity in the guest (docs/threat-model.md).
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "image/image.h"

namespace cw::cwrun {

inline constexpr const char* kMeasurementFileName = "measurement.json";
inline constexpr const char* kEntrypointFileName = "entrypoint";  // in the layer, never extracted
inline constexpr uint64_t kMaxMeasurementFileBytes = 64 * 1024;
inline constexpr uint64_t kMaxEntrypointBytes = 64 << 20;
// oci2cw's own --max-size default: no converted disk is larger.
inline constexpr uint64_t kMaxRootfsBytes = uint64_t{64} << 30;

// What the labels of a converted image say about its layer.
struct ConvertedImage {
    std::string rootfs_file;      // label rootfs: a plain file name
    std::string workload_sha256;  // label workload-sha256: 64 hex, of workload.json
    bool measured = false;        // label measurement present: measurement.json must be there
};

// Refuses an image oci2cw did not write with "REFERENCE is not a converted confidential
// workload image: convert it with oci2cw", and one with bad labels or not one layer.
[[nodiscard]] Result<ConvertedImage> check_converted(const oci::Image& image, const std::string& reference);

// Streams the layer's wanted entries into `dir` (an empty directory), then verifies the
// layer's digests; on error `dir` may hold partial files for the caller to remove.
[[nodiscard]] Result<void> unpack_workload(const oci::Image& image, const ConvertedImage& converted,
                                           const std::string& dir);

}  // namespace cw::cwrun
