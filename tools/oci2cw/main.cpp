// oci2cw: turns an OCI image into a confidential workload's disk. Phase 1: read and
// verify the image, flatten its layers (refusing hostile ones), write rootfs.squashfs and
// image.json. Later stages (LUKS2, dm-verity, measurement, registration) follow the
// squashfs in run() and are selected by --tee.
#define CXXOPTS_VECTOR_DELIMITER '\0'
#include <cxxopts.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "image/image.h"
#include "layers/flatten.h"
#include "output.h"
#include "squashfs/writer.h"

namespace {

constexpr int kFailure = 1;
constexpr int kUsageError = 2;

struct Options {
    std::string image;
    std::string output;
    std::string tee;
    bool json = false;
    cw::oci::Limits limits;
};

cw::Result<void> ensure_dir(const std::string& dir) {
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
        return cw::Error::sys("mkdir " + dir);
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        return cw::Error::msg("--output " + dir + " is not a directory");
    return {};
}

cw::Result<void> run(const Options& opt) {
    using namespace cw::oci;
    Image image = CW_TRY(open_image(opt.image, opt.limits.max_total_bytes));
    Tree tree = CW_TRY(flatten(image, opt.limits));

    CW_TRY(ensure_dir(opt.output));
    // Written under a temporary name and renamed once complete: a failed run never
    // leaves a plausible-looking rootfs behind.
    std::string final_path = opt.output + "/" + kRootfsFile;
    std::string partial = final_path + ".partial";
    uint64_t budget = opt.limits.max_total_bytes;
    auto opener = [&](uint32_t layer) -> cw::Result<std::unique_ptr<LayerStream>> {
        return open_layer(image, layer, opt.limits, budget).context(layer_name(image, layer));
    };
    if (auto r = write_squashfs(tree, opener, partial); !r.ok()) {
        ::unlink(partial.c_str());
        return std::move(r).context("writing " + partial);
    }
    if (std::rename(partial.c_str(), final_path.c_str()) != 0)
        return cw::Error::sys("rename " + partial);

    Artifacts artifacts;
    artifacts.rootfs_path = final_path;
    CW_TRY(hash_file(final_path, artifacts.rootfs_sha256, artifacts.rootfs_size));
    // Next stages plug in here: encrypt (LUKS2), dm-verity over the result, measure.
    CW_TRY(write_image_json(opt.output, image.config, artifacts));
    if (opt.json)
        std::printf("%s\n", summary_json(image.config, artifacts).c_str());
    return {};
}

int usage_error(const std::string& message) {
    std::fprintf(stderr, "oci2cw: %s\n", message.c_str());
    return kUsageError;
}

}  // namespace

int main(int argc, char** argv) {
    cxxopts::Options options("oci2cw", "Turn an OCI image into a confidential workload disk");
    options.positional_help("IMAGE (oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE)");
    options.add_options()
        ("image", "image reference", cxxopts::value<std::string>())
        ("output", "output directory (created if missing)", cxxopts::value<std::string>())
        ("tee", "TEE to prepare for: none (snp, tdx: not implemented yet)", cxxopts::value<std::string>())
        ("max-size", "bound on the layers' uncompressed bytes, in GiB", cxxopts::value<uint64_t>()->default_value("64"))
        ("json", "print a JSON summary on stdout")
        ("h,help", "show this help");
    options.parse_positional({"image"});
    Options opt;
    try {
        auto args = options.parse(argc, argv);
        if (args.count("help")) {
            std::printf("%s\n", options.help().c_str());
            return 0;
        }
        if (!args.count("image"))
            return usage_error("missing IMAGE");
        if (!args.count("output"))
            return usage_error("missing --output DIR");
        if (!args.count("tee"))
            return usage_error("missing --tee (none)");
        if (!args.unmatched().empty())
            return usage_error("unexpected argument \"" + args.unmatched().front() + "\"");
        opt.image = args["image"].as<std::string>();
        opt.output = args["output"].as<std::string>();
        opt.tee = args["tee"].as<std::string>();
        opt.json = args.count("json") > 0;
        uint64_t gib = args["max-size"].as<uint64_t>();
        if (gib == 0 || gib > (uint64_t{1} << 20))
            return usage_error("--max-size must be 1 to 1048576 GiB");
        opt.limits.max_total_bytes = gib << 30;
    } catch (const cxxopts::exceptions::exception& e) {
        return usage_error(e.what());
    }
    if (opt.tee != "none") {
        if (opt.tee == "snp" || opt.tee == "tdx") {
            std::fprintf(stderr, "oci2cw: --tee %s: not implemented yet\n", opt.tee.c_str());
            return kFailure;
        }
        return usage_error("--tee must be none, snp or tdx");
    }
    auto r = run(opt);
    if (!r.ok()) {
        std::fprintf(stderr, "oci2cw: %s\n", r.error().to_string().c_str());
        return kFailure;
    }
    return 0;
}
