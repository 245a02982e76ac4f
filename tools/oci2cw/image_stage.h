// The last, optional stage: the workload packaged as an OCI image (--output-image
// oci-archive:FILE[:TAG]) that Podman can hold and run with `--runtime krun`. Its single
// layer puts the disk (disk.img or rootfs.squashfs), workload.json, measurement.json when
// there is one, and /entrypoint (a static program saying how to run the image) at the
// image's root; labels name the workload (docs/disk-format.md, "The OCI image").
#pragma once

#include <optional>
#include <string>

#include "base/result.h"
#include "image/converted_labels.h"
#include "image_out/oci_archive.h"
#include "output.h"

namespace cw::oci {

struct OutputImageRef {
    std::string file;
    std::string tag;  // "latest" when not given
};

// "oci-archive:FILE[:TAG]"; TAG is what follows the last ':' when it has no '/'.
[[nodiscard]] Result<OutputImageRef> parse_output_image(const std::string& reference);

// The image's name in index.json (and so in `podman load`): localhost/<workload id>:<tag>.
[[nodiscard]] std::string output_image_name(const std::string& workload_id, const std::string& tag);

struct ImageInputs {
    std::string out_dir;       // holds the disk, workload.json and maybe measurement.json
    std::string rootfs_file;   // kDiskFile or kRootfsFile
    std::string workload_id;
    std::string tee;
    std::string workload_sha256;             // of workload.json (the launch's HOST_DATA)
    std::optional<std::string> measurement;  // set when measurement.json was written
    bool gzip = false;
};

[[nodiscard]] Result<WrittenImage> write_output_image(const OutputImageRef& ref, const ImageInputs& in,
                                                      const WriteProgress& progress = {});

}  // namespace cw::oci
