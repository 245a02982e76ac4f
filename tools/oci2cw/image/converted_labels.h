// The labels oci2cw --output-image puts on the images it writes (docs/disk-format.md, "The
// OCI image"), shared by the writer (image_stage.cpp) and the reader that runs such images
// (cwrun, src/cwrun/image_unpack.h), so the two cannot drift apart.
#pragma once

namespace cw::oci {

constexpr const char* kLabelPrefix = "org.confidential-workloads.";

namespace label {
constexpr const char* kWorkloadId = "org.confidential-workloads.workload-id";
constexpr const char* kTee = "org.confidential-workloads.tee";
constexpr const char* kFormatVersion = "org.confidential-workloads.format-version";
constexpr const char* kRootfs = "org.confidential-workloads.rootfs";           // the disk file's name
constexpr const char* kWorkloadSha256 = "org.confidential-workloads.workload-sha256";
constexpr const char* kMeasurement = "org.confidential-workloads.measurement";  // only when measured
}  // namespace label

}  // namespace cw::oci
