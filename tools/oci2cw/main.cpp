// oci2cw: turns an OCI image into a confidential workload: read and verify the image,
// flatten its layers (refusing hostile ones), write the squashfs, append its dm-verity tree
// and, for a TEE, seal both into a LUKS2 disk.img (docs/disk-format.md); then workload.json
// (the measured workload configuration), the expected launch measurement (measurement.json,
// --tee sim with --kernel) and the registration of policy and disk secret with the
// attestation server (--register); last, optionally, an OCI image holding all of it
// (--output-image, --podman-load).
#define CXXOPTS_VECTOR_DELIMITER '\0'
#include <cxxopts.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "disk/secret.h"
#include "disk_stage.h"
#include "image_stage.h"
#include "image/image.h"
#include "launch_stage.h"
#include "layers/flatten.h"
#include "output.h"
#include "podman.h"
#include "progress.h"
#include "register_stage.h"
#include "squashfs/writer.h"
#include "vmm/vm_config.h"
#include "workload_id.h"

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
    cw::oci::Platform platform;  // linux/amd64 unless --platform
    cw::oci::WorkloadSettings workload;
    std::string attest_url;
    std::string attest_ca_path;
    std::string kernel;
    std::string initrd;
    bool do_register = false;
    bool no_register = false;
    std::string admin_token_path;
    std::string output_image;  // oci-archive:FILE[:TAG], or empty
    bool output_image_gzip = false;
    bool podman_load = false;
    cw::oci::SquashfsSettings squashfs;
};

bool encrypted(const Options& opt) { return opt.tee != "none"; }

// The disk's secret: from the CSPRNG, sent only to the attestation server (--register),
// which releases it to a guest that proved itself. With --no-register it is dropped (wiped)
// when oci2cw exits and the disk cannot be unlocked. --secret-fd is a hidden test-only
// option: a test passes a known secret through a pipe to check the disk. The secret is never
// written to a file nor printed.
cw::Result<cw::disk::Secret> obtain_secret(const Options& opt) {
    if (opt.secret_fd >= 0)
        return cw::disk::read_secret_fd(opt.secret_fd).context("--secret-fd");
    return cw::disk::generate_secret();
}

// --output is created with its missing parents, but only once the image has been read:
// this check runs first, so a path that can never be a directory fails in the checking
// stage rather than after the layers were read, and a refused image leaves nothing behind.
cw::Result<void> check_output_dir(const std::string& dir) {
    std::error_code ec;
    std::filesystem::path p = std::filesystem::absolute(dir, ec);
    if (ec)
        return cw::Error::msg("--output " + dir + ": " + ec.message());
    for (;; p = p.parent_path()) {
        auto st = std::filesystem::status(p, ec);
        if (st.type() == std::filesystem::file_type::not_found && p != p.parent_path())
            continue;
        if (ec && st.type() != std::filesystem::file_type::not_found)
            return cw::Error::msg("--output " + dir + ": " + p.string() + ": " + ec.message());
        if (st.type() != std::filesystem::file_type::directory)
            return cw::Error::msg("--output " + dir + ": " + p.string() + " is not a directory");
        if (::access(p.c_str(), W_OK | X_OK) != 0)
            return cw::Error::sys("--output " + dir + ": " + p.string());
        return {};
    }
}

cw::Result<void> ensure_dir(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
        return cw::Error::msg("--output " + dir + ": creating it: " + ec.message());
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        return cw::Error::msg("--output " + dir + " is not a directory");
    return {};
}

// What --register needs, gathered before the long build so that a wrong URL, CA or token
// fails in a second rather than after the disk is written.
struct Registration {
    cw::oci::AttestTarget target;
    cw::oci::AdminToken token;
};

// --output-image's destination and, for --podman-load, podman itself: checked before the build.
struct ImageOutput {
    cw::oci::OutputImageRef ref;
    std::string podman;  // empty without --podman-load
};

cw::Result<std::optional<ImageOutput>> prepare_image_output(const Options& opt) {
    if (opt.output_image.empty())
        return std::optional<ImageOutput>();
    ImageOutput out{CW_TRY(cw::oci::parse_output_image(opt.output_image)), {}};
    if (opt.podman_load)
        out.podman = CW_TRY(cw::oci::find_podman("--podman-load"));
    return std::optional<ImageOutput>(std::move(out));
}

constexpr std::string_view kPodmanTransport = "containers-storage:";

// The input image; a local Podman image goes through `podman save` (podman.h).
cw::Result<cw::oci::Image> open_input(const Options& opt) {
    if (!opt.image.starts_with(kPodmanTransport))
        return cw::oci::open_image(opt.image, opt.limits.max_total_bytes, opt.platform);
    std::string podman = CW_TRY(cw::oci::find_podman("containers-storage:NAME"));
    return cw::oci::open_podman_image(podman, opt.image.substr(kPodmanTransport.size()), opt.limits.max_total_bytes,
                                      opt.platform);
}

cw::Result<std::optional<Registration>> prepare(Options& opt) {
    CW_TRY(check_output_dir(opt.output));
    if (!opt.attest_url.empty()) {
        auto target = CW_TRY(cw::oci::parse_attest_url(opt.attest_url));
        target.ca_pem = CW_TRY(cw::oci::read_ca_pem(opt.attest_ca_path));
        opt.workload.attestation_url = target.url;
        opt.workload.attestation_ca = target.ca_pem;
        if (opt.do_register) {
            Registration reg{std::move(target), CW_TRY(cw::oci::AdminToken::read(opt.admin_token_path))};
            CW_TRY(cw::oci::check_admin_access(reg.target, reg.token));
            return std::optional<Registration>(std::move(reg));
        }
    }
    return std::optional<Registration>();
}

// One output file in --json's "outputs".
nlohmann::ordered_json output_entry(const std::string& path) {
    std::string hex;
    uint64_t size = 0;
    if (!cw::oci::hash_file(path, hex, size).ok())
        return {{"file", path}};
    return {{"file", path}, {"size", size}, {"sha256", hex}};
}

cw::Result<void> run(Options& opt, cw::oci::Progress& progress) {
    using namespace cw::oci;
    progress.stage("checking");
    std::optional<Registration> registration = CW_TRY(prepare(opt));
    std::optional<ImageOutput> image_output = CW_TRY(prepare_image_output(opt));
    progress.stage("reading image");
    Image image = CW_TRY(open_input(opt));
    const auto layers = static_cast<uint32_t>(image.layers.size());
    const uint64_t layer_bytes = CW_TRY(stored_layer_bytes(image));
    auto observe = [&](size_t layer, size_t bytes) {
        progress.layer(static_cast<uint32_t>(layer));
        progress.advance(bytes);
    };
    progress.stage("reading layers", layer_bytes, layers);
    Tree tree = CW_TRY(flatten(image, opt.limits, observe));

    std::optional<cw::disk::Secret> secret;
    if (encrypted(opt))
        secret.emplace(CW_TRY(obtain_secret(opt)));

    CW_TRY(ensure_dir(opt.output));
    // Written under a temporary name and renamed once complete: a failed run never
    // leaves a plausible-looking rootfs behind.
    std::string partial = opt.output + "/" + kRootfsFile + ".partial";
    uint64_t budget = opt.limits.max_total_bytes;
    auto opener = [&](uint32_t layer) -> cw::Result<std::unique_ptr<LayerStream>> {
        return open_layer(image, layer, opt.limits, budget, observe).context(layer_name(image, layer));
    };
    progress.stage("squashfs", layer_bytes, layers);
    if (auto r = write_squashfs(tree, opener, partial, opt.squashfs); !r.ok()) {
        ::unlink(partial.c_str());
        return std::move(r).context("writing " + partial);
    }

    progress.stage(encrypted(opt) ? "dm-verity + LUKS2" : "dm-verity");
    Artifacts artifacts;
    CW_TRY(finish_disk(partial, opt.output, verity_salt(image), secret ? &*secret : nullptr, artifacts));
    if (!registration)
        secret.reset();  // wiped; nothing after this needs it
    progress.stage("workload.json");
    // Stale descriptions of an earlier run must not sit beside the new ones.
    ::unlink((opt.output + "/" + kLegacyImageJsonFile).c_str());
    ::unlink((opt.output + "/" + kMeasurementFile).c_str());
    const std::string workload = CW_TRY(workload_json(image.config, artifacts, opt.workload));
    CW_TRY(write_output_file(opt.output, kWorkloadFile, workload));

    nlohmann::ordered_json summary = {{"workload_id", opt.workload.workload_id},
                                      {"tee", opt.tee},
                                      {"workload", nlohmann::json::parse(workload)},
                                      {"files", {{"rootfs", artifacts.rootfs_file}, {"workload", kWorkloadFile}}}};
    std::vector<std::string> outputs = {opt.output + "/" + artifacts.rootfs_file, opt.output + "/" + kWorkloadFile};
    bool registered = false;
    if (!opt.kernel.empty()) {
        progress.stage("measurement");
        ExpectedLaunch launch = CW_TRY(expect_launch(
            {opt.tee, opt.kernel, opt.initrd, opt.output, opt.workload.cpus, opt.workload.ram_mib}));
        CW_TRY(write_output_file(opt.output, kMeasurementFile, measurement_json(launch)));
        outputs.push_back(opt.output + "/" + kMeasurementFile);
        summary["files"]["measurement"] = kMeasurementFile;
        summary["measurement"] = {{"tee", launch.tee}, {"measurement", launch.measurement},
                                  {"host_data", launch.host_data}, {"cwrun", launch.cwrun_args}};
        if (registration) {
            progress.stage("registering");
            std::string outcome = CW_TRY(register_workload(registration->target, registration->token, launch.tee,
                                                           opt.workload.workload_id, launch.measurement,
                                                           launch.host_data, *secret)
                                             .context("registering workload " + opt.workload.workload_id));
            secret.reset();
            registered = true;
            summary["registration"] = {{"attestation_url", registration->target.url},
                                       {"workload_id", opt.workload.workload_id}, {"result", outcome}};
        }
    }
    if (image_output) {
        ImageInputs in{opt.output, artifacts.rootfs_file, opt.workload.workload_id, opt.tee, {}, {}, opt.output_image_gzip};
        Sha256 h;
        h.update(workload.data(), workload.size());
        in.workload_sha256 = h.finish().hex;
        if (summary.contains("measurement"))
            in.measurement = summary["measurement"]["measurement"].get<std::string>();
        progress.stage("OCI image");
        WrittenImage written = CW_TRY(write_output_image(image_output->ref, in, [&](uint64_t done, uint64_t total) {
            if (progress.total() != total)
                progress.set_total(total);
            progress.set_done(done);
        }));
        outputs.push_back(image_output->ref.file);
        std::string name = output_image_name(opt.workload.workload_id, image_output->ref.tag);
        summary["image"] = {{"file", image_output->ref.file}, {"name", name},
                            {"size", written.archive_size}, {"sha256", written.archive_sha256},
                            {"manifest", written.manifest.str()}, {"config", written.config.str()},
                            {"layer", written.layer.str()}, {"diff_id", written.diff_id.str()},
                            {"podman_loaded", false}};
        if (!image_output->podman.empty()) {
            progress.stage("podman load");
            CW_TRY(podman_load(image_output->podman, image_output->ref.file).context("--podman-load"));
            summary["image"]["podman_loaded"] = true;
        }
    }
    progress.finish();
    summary["registered"] = registered;
    summary["outputs"] = nlohmann::ordered_json::array();
    for (const auto& path : outputs)
        summary["outputs"].push_back(output_entry(path));
    nlohmann::ordered_json timings = nlohmann::ordered_json::object();
    for (const auto& [stage, secs] : progress.timings())
        timings[stage] = std::round(secs * 1000) / 1000;
    summary["timings_s"] = timings;

    if (opt.json) {
        std::printf("%s\n", summary.dump().c_str());
    } else {
        if (registered)
            std::fprintf(stderr, "oci2cw: workload %s registered with %s (%s)\n", opt.workload.workload_id.c_str(),
                         registration->target.url.c_str(),
                         summary["registration"]["result"].get<std::string>().c_str());
        if (image_output && !image_output->podman.empty())
            std::fprintf(stderr, "oci2cw: loaded %s into podman: run it with `podman run --runtime krun %s`\n",
                         summary["image"]["name"].get<std::string>().c_str(),
                         summary["image"]["name"].get<std::string>().c_str());
    }
    if (encrypted(opt) && opt.no_register && opt.secret_fd < 0)  // after success: a failure stays one line
        std::fprintf(stderr, "oci2cw: note: --no-register: the disk secret was not registered anywhere "
                             "and is gone: nothing will be able to unlock %s\n", kDiskFile);
    return {};
}

int usage_error(const std::string& message) {
    std::fprintf(stderr, "oci2cw: %s\n", message.c_str());
    return kUsageError;
}

// The combinations that make sense (docs/disk-format.md, "oci2cw's stages").
std::optional<std::string> check_combination(const Options& opt) {
    if (opt.tee != "none" && opt.tee != "sim" && opt.tee != "snp" && opt.tee != "tdx")
        return "--tee must be none, sim, snp or tdx";
    if (opt.secret_fd >= 0 && !encrypted(opt))
        return "--secret-fd is only for an encrypted disk (--tee sim, snp or tdx)";
    if (opt.do_register && opt.no_register)
        return "--register and --no-register contradict each other";
    if (!encrypted(opt) && (opt.do_register || opt.no_register || !opt.attest_url.empty() || !opt.kernel.empty()))
        return "--tee none has no secret to register and no launch measurement: --register, --no-register, "
               "--attest-url and --kernel need --tee sim or snp";
    if (opt.tee == "tdx" && (opt.do_register || !opt.kernel.empty()))
        return "--tee tdx: its launch measurement is not implemented yet, so it cannot be registered "
               "(--no-register writes its disk)";
    if (encrypted(opt) && !opt.do_register && !opt.no_register && opt.secret_fd < 0)
        return "--tee " + opt.tee + ": the disk's secret must go to an attestation server: give --register "
               "(with --attest-url, --attest-ca, --admin-token-file and --kernel), or --no-register to write a disk "
               "nothing can unlock";
    if (opt.attest_url.empty() != opt.attest_ca_path.empty())
        return "--attest-url and --attest-ca go together";
    if (opt.do_register) {
        if (opt.attest_url.empty())
            return "--register needs --attest-url and --attest-ca";
        if (opt.admin_token_path.empty())
            return "--register needs --admin-token-file";
        if (opt.kernel.empty())
            return "--register needs --kernel (and the guest's --initrd) to compute the launch measurement";
    } else if (!opt.admin_token_path.empty()) {
        return "--admin-token-file is only for --register";
    }
    if (!opt.initrd.empty() && opt.kernel.empty())
        return "--initrd needs --kernel";
    if (opt.podman_load && opt.output_image.empty())
        return "--podman-load needs --output-image oci-archive:FILE[:TAG]";
    if (opt.output_image_gzip && opt.output_image.empty())
        return "--output-image-compression needs --output-image";
    if (opt.workload.cpus < 1 || opt.workload.cpus > cw::vmm::kMaxVcpus)
        return "--cpus must be 1 to " + std::to_string(cw::vmm::kMaxVcpus);
    if (opt.workload.ram_mib < cw::vmm::kMinMemMib || opt.workload.ram_mib > (1u << 20))
        return "--memory must be " + std::to_string(cw::vmm::kMinMemMib) + " to 1048576 MiB";
    return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
    cxxopts::Options options("oci2cw", "Turn an OCI image into a confidential workload");
    options.positional_help(
        "IMAGE (oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE, containers-storage:NAME)");
    options.add_options()
        ("image", "image reference", cxxopts::value<std::string>())
        ("output", "output directory (created if missing)", cxxopts::value<std::string>())
        ("tee", "TEE to prepare for: none (squashfs + dm-verity), or sim, snp, tdx (LUKS2 disk.img)",
         cxxopts::value<std::string>())
        ("workload-id", "workload id at the attestation server (default: from the image name)",
         cxxopts::value<std::string>())
        ("cpus", "vCPUs the workload runs with (measured)", cxxopts::value<uint32_t>()->default_value("1"))
        ("memory", "guest memory in MiB (measured)", cxxopts::value<uint32_t>()->default_value("256"))
        ("attest-url", "attestation server https://HOST[:PORT] (in workload.json)", cxxopts::value<std::string>())
        ("attest-ca", "PEM CA certificate the guest verifies the server against (embedded in workload.json)",
         cxxopts::value<std::string>())
        ("kernel", "--tee sim: guest kernel; writes measurement.json", cxxopts::value<std::string>())
        ("initrd", "--tee sim: the guest initramfs the workload boots with", cxxopts::value<std::string>())
        ("register", "register the policy and the disk secret with the attestation server")
        ("no-register", "do not register: the disk secret is dropped and the disk cannot be unlocked")
        ("admin-token-file", "file holding the attestation server's admin token", cxxopts::value<std::string>())
        ("output-image", "also write the workload as an OCI image: oci-archive:FILE[:TAG] (named "
         "localhost/WORKLOAD-ID:TAG, TAG latest by default)", cxxopts::value<std::string>())
        ("output-image-compression", "the image layer's compression: none (default) or gzip",
         cxxopts::value<std::string>()->default_value("none"))
        ("podman-load", "load the --output-image into podman (podman load)")
        ("platform", "the image to take from a multi-platform index: OS/ARCH[/VARIANT]",
         cxxopts::value<std::string>()->default_value("linux/amd64"))
        ("j,jobs", "squashfs compressor threads (default: one per CPU; the image is the same for any count)",
         cxxopts::value<uint32_t>())
        ("compression-level", "zstd level of the squashfs, 1 to 22 (lower: faster, larger)",
         cxxopts::value<uint32_t>()->default_value("15"))
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
        auto text = [&](const char* name) { return args.count(name) ? args[name].as<std::string>() : std::string(); };
        opt.image = text("image");
        opt.output = text("output");
        opt.tee = text("tee");
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
        if (args.count("jobs")) {
            opt.squashfs.jobs = args["jobs"].as<uint32_t>();
            if (opt.squashfs.jobs == 0 || opt.squashfs.jobs > cw::oci::kMaxSquashfsJobs)
                return usage_error("--jobs must be 1 to " + std::to_string(cw::oci::kMaxSquashfsJobs));
        }
        opt.squashfs.zstd_level = args["compression-level"].as<uint32_t>();
        if (opt.squashfs.zstd_level < cw::oci::kMinZstdLevel || opt.squashfs.zstd_level > cw::oci::kMaxZstdLevel)
            return usage_error("--compression-level must be " + std::to_string(cw::oci::kMinZstdLevel) + " to " +
                               std::to_string(cw::oci::kMaxZstdLevel));
        opt.workload.tee = opt.tee;
        opt.workload.cpus = args["cpus"].as<uint32_t>();
        opt.workload.ram_mib = args["memory"].as<uint32_t>();
        opt.workload.workload_id = text("workload-id");
        opt.attest_url = text("attest-url");
        opt.attest_ca_path = text("attest-ca");
        opt.kernel = text("kernel");
        opt.initrd = text("initrd");
        opt.do_register = args.count("register") > 0;
        opt.no_register = args.count("no-register") > 0;
        opt.admin_token_path = text("admin-token-file");
        opt.output_image = text("output-image");
        auto platform = cw::oci::parse_platform(args["platform"].as<std::string>());
        if (!platform.ok())
            return usage_error("--platform: " + platform.error().to_string());
        opt.platform = platform.value();
        opt.podman_load = args.count("podman-load") > 0;
        std::string compression = args["output-image-compression"].as<std::string>();
        if (compression != "none" && compression != "gzip")
            return usage_error("--output-image-compression must be none or gzip");
        opt.output_image_gzip = compression == "gzip";
    } catch (const cxxopts::exceptions::exception& e) {
        return usage_error(e.what());
    }
    if (auto problem = check_combination(opt))
        return usage_error(*problem);
    if (!opt.output_image.empty()) {
        if (auto ref = cw::oci::parse_output_image(opt.output_image); !ref.ok())
            return usage_error(ref.error().to_string());
    }
    if (!opt.attest_url.empty()) {
        if (auto url = cw::oci::parse_attest_url(opt.attest_url); !url.ok())
            return usage_error(url.error().to_string());
    }
    if (opt.workload.workload_id.empty()) {
        auto id = cw::oci::default_workload_id(opt.image);
        if (!id.ok())
            return usage_error(id.error().to_string());
        opt.workload.workload_id = id.value();
    } else if (auto valid = cw::oci::check_workload_id(opt.workload.workload_id); !valid.ok()) {
        return usage_error(valid.error().to_string());
    }
    cw::oci::Progress progress(::isatty(STDERR_FILENO) == 1);
    auto r = run(opt, progress);
    progress.finish();  // clears the progress line before the error
    if (!r.ok()) {
        std::fprintf(stderr, "oci2cw: %s\n", r.error().to_string().c_str());
        return kFailure;
    }
    return 0;
}
