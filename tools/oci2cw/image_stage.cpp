#include "image_stage.h"

namespace cw::oci {

// The static /entrypoint, embedded at build time (entrypoint/, embed_file.py).
extern const unsigned char cw_oci_entrypoint[];
extern const std::size_t cw_oci_entrypoint_size;

Result<OutputImageRef> parse_output_image(const std::string& reference) {
    constexpr std::string_view kPrefix = "oci-archive:";
    if (!reference.starts_with(kPrefix))
        return Error::msg("--output-image \"" + reference + "\" is not oci-archive:FILE[:TAG]");
    std::string rest = reference.substr(kPrefix.size());
    OutputImageRef ref{rest, "latest"};
    if (auto colon = rest.rfind(':'); colon != std::string::npos && rest.find('/', colon) == std::string::npos) {
        ref.file = rest.substr(0, colon);
        ref.tag = rest.substr(colon + 1);
    }
    if (ref.file.empty())
        return Error::msg("--output-image: no FILE in \"" + reference + "\"");
    // The OCI distribution spec's tag grammar: [A-Za-z0-9_][A-Za-z0-9._-]{0,127}.
    bool valid_tag = !ref.tag.empty() && ref.tag.size() <= 128 && ref.tag.front() != '.' && ref.tag.front() != '-';
    for (char c : ref.tag)
        valid_tag = valid_tag && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                                  c == '_' || c == '.' || c == '-');
    if (!valid_tag)
        return Error::msg("--output-image: \"" + ref.tag + "\" is not a valid tag");
    return ref;
}

std::string output_image_name(const std::string& workload_id, const std::string& tag) {
    return "localhost/" + workload_id + ":" + tag;
}

Result<WrittenImage> write_output_image(const OutputImageRef& ref, const ImageInputs& in,
                                        const WriteProgress& progress) {
    ImageSpec spec;
    spec.files.push_back({in.rootfs_file, in.out_dir + "/" + in.rootfs_file, {}, 0644});
    spec.files.push_back({kWorkloadFile, in.out_dir + "/" + kWorkloadFile, {}, 0644});
    if (in.measurement)
        spec.files.push_back({kMeasurementFile, in.out_dir + "/" + kMeasurementFile, {}, 0644});
    spec.files.push_back({"entrypoint", "", {cw_oci_entrypoint, cw_oci_entrypoint_size}, 0755});
    spec.gzip = in.gzip;
    spec.entrypoint = {"/entrypoint"};
    spec.labels = {
        {label::kWorkloadId, in.workload_id},
        {label::kTee, in.tee},
        {label::kFormatVersion, std::to_string(kWorkloadFormatVersion)},
        {label::kRootfs, in.rootfs_file},
        {label::kWorkloadSha256, in.workload_sha256},
    };
    if (in.measurement)
        spec.labels[label::kMeasurement] = *in.measurement;
    spec.ref_name = output_image_name(in.workload_id, ref.tag);
    return write_oci_archive(spec, ref.file, progress).context("--output-image " + ref.file);
}

}  // namespace cw::oci
