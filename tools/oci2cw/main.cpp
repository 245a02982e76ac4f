// oci2cw: turns an OCI image into a confidential workload's disk: read and verify the
// image, flatten its layers (refusing hostile ones), write the squashfs, append its
// dm-verity tree and, for a TEE, seal both into a LUKS2 disk.img (docs/disk-format.md);
// then image.json. Later stages (measurement, registration) follow in run().
#define CXXOPTS_VECTOR_DELIMITER '\0'
#include <cxxopts.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <optional>
#include <string>

#include "disk/secret.h"
#include "disk_stage.h"
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
    int secret_fd = -1;  // test-only: see --secret-fd
    cw::oci::Limits limits;
};

bool encrypted(const Options& opt) { return opt.tee != "none"; }

// The disk's secret. It will be sent only to the attestation server, which releases it to
// a guest that proved itself; registration is not implemented yet, so for now a generated
// secret is simply dropped (wiped) when oci2cw exits and such a disk cannot be unlocked.
// --secret-fd is a hidden test-only option: it lets a test pass a known secret through a
// pipe so it can check the disk. The secret is never written to a file nor printed.
cw::Result<cw::disk::Secret> obtain_secret(const Options& opt) {
    if (opt.secret_fd >= 0)
        return cw::disk::read_secret_fd(opt.secret_fd).context("--secret-fd");
    return cw::disk::generate_secret();
}

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

    std::optional<cw::disk::Secret> secret;
    if (encrypted(opt))
        secret.emplace(CW_TRY(obtain_secret(opt)));

    CW_TRY(ensure_dir(opt.output));
    // Written under a temporary name and renamed once complete: a failed run never
    // leaves a plausible-looking rootfs behind.
    std::string partial = opt.output + "/" + kRootfsFile + ".partial";
    uint64_t budget = opt.limits.max_total_bytes;
    auto opener = [&](uint32_t layer) -> cw::Result<std::unique_ptr<LayerStream>> {
        return open_layer(image, layer, opt.limits, budget).context(layer_name(image, layer));
    };
    if (auto r = write_squashfs(tree, opener, partial); !r.ok()) {
        ::unlink(partial.c_str());
        return std::move(r).context("writing " + partial);
    }

    Artifacts artifacts;
    CW_TRY(finish_disk(partial, opt.output, verity_salt(image), secret ? &*secret : nullptr, artifacts));
    secret.reset();  // wiped; nothing after this needs it
    // Next stages plug in here: measure, register the secret.
    CW_TRY(write_image_json(opt.output, image.config, artifacts));
    if (opt.json)
        std::printf("%s\n", summary_json(image.config, artifacts).c_str());
    if (encrypted(opt) && opt.secret_fd < 0)  // said after success, so a failure stays one line
        std::fprintf(stderr, "oci2cw: note: the disk secret is not registered anywhere yet (not implemented): "
                             "nothing will be able to unlock %s\n", kDiskFile);
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
        ("tee", "TEE to prepare for: none (squashfs + dm-verity), or sim, snp, tdx (LUKS2 disk.img)",
         cxxopts::value<std::string>())
        ("max-size", "bound on the layers' uncompressed bytes, in GiB", cxxopts::value<uint64_t>()->default_value("64"))
        ("json", "print a JSON summary on stdout")
        ("h,help", "show this help");
    // Hidden (not in --help): tests pass a known secret through a pipe. See obtain_secret().
    options.add_options("test-only")("secret-fd", "read the 32-byte disk secret from this fd", cxxopts::value<int>());
    options.parse_positional({"image"});
    Options opt;
    try {
        auto args = options.parse(argc, argv);
        if (args.count("help")) {
            std::printf("%s\n", options.help({""}).c_str());
            return 0;
        }
        if (!args.count("image"))
            return usage_error("missing IMAGE");
        if (!args.count("output"))
            return usage_error("missing --output DIR");
        if (!args.count("tee"))
            return usage_error("missing --tee (none, sim, snp or tdx)");
        if (!args.unmatched().empty())
            return usage_error("unexpected argument \"" + args.unmatched().front() + "\"");
        opt.image = args["image"].as<std::string>();
        opt.output = args["output"].as<std::string>();
        opt.tee = args["tee"].as<std::string>();
        opt.json = args.count("json") > 0;
        if (args.count("secret-fd")) {
            opt.secret_fd = args["secret-fd"].as<int>();
            if (opt.secret_fd < 0)
                return usage_error("--secret-fd must be an open file descriptor");
        }
        uint64_t gib = args["max-size"].as<uint64_t>();
        if (gib == 0 || gib > (uint64_t{1} << 20))
            return usage_error("--max-size must be 1 to 1048576 GiB");
        opt.limits.max_total_bytes = gib << 30;
    } catch (const cxxopts::exceptions::exception& e) {
        return usage_error(e.what());
    }
    if (opt.tee != "none" && opt.tee != "sim" && opt.tee != "snp" && opt.tee != "tdx")
        return usage_error("--tee must be none, sim, snp or tdx");
    if (opt.secret_fd >= 0 && !encrypted(opt))
        return usage_error("--secret-fd is only for an encrypted disk (--tee sim, snp or tdx)");
    auto r = run(opt);
    if (!r.ok()) {
        std::fprintf(stderr, "oci2cw: %s\n", r.error().to_string().c_str());
        return kFailure;
    }
    return 0;
}
