#include "tee/launch/cw_measure_launch.h"

#include <cxxopts.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>

#include "base/hex.h"
#include "tee/measurement/cw_measure_pages.h"
#include "vmm/launch_spec.h"

namespace cw::tee::cli {

namespace {

using Json = nlohmann::ordered_json;

int fail(const std::string& message) {
    std::fprintf(stderr, "cw-measure: launch: %s\n", message.c_str());
    return 2;
}

// The options that shape the launch image, named as cwrun names them.
cxxopts::Options launch_options() {
    cxxopts::Options options("cw-measure launch",
                             "Launch digest of the image `cwrun --tee sim|snp` builds from the same options\n"
                             "(docs/measurement.md). Give exactly the cwrun options that shape the image.");
    options.add_options()
        ("tee", "sim (the sim report's MEASUREMENT) or snp (the SEV-SNP launch digest)",
         cxxopts::value<std::string>()->default_value("sim"))
        ("kernel", "guest kernel (ELF vmlinux or bzImage)", cxxopts::value<std::string>())
        ("initrd", "initramfs image", cxxopts::value<std::string>())
        ("cmdline", "text appended to the kernel command line", cxxopts::value<std::string>()->default_value(""))
        ("workload-config", "workload configuration (JSON), appended as /cw/workload.json",
         cxxopts::value<std::string>())
        ("cpus", "number of vCPUs", cxxopts::value<uint32_t>()->default_value("1"))
        ("mem", "guest memory in MiB", cxxopts::value<uint32_t>()->default_value("256"))
        ("console", "guest console: virtio or serial (its console= entry is measured)",
         cxxopts::value<std::string>()->default_value("virtio"))
        ("disks", "number of --disk options cwrun gets (each announces a device)",
         cxxopts::value<uint32_t>()->default_value("0"))
        ("explain", "list every measured page: type, GPA, content hash, running digest")
        ("json", "print JSON instead of hex")
        ("h,help", "show this help");
    return options;
}

void print(const std::string& tee, const SnpLaunchDigest& digest, const vmm::LaunchImage& image, bool explain,
           bool json) {
    const std::string value = to_hex_lower(digest.digest());
    const std::string host_data = image.workload_host_data ? to_hex_lower(*image.workload_host_data)
                                                           : std::string(64, '0');
    if (json) {
        Json out = {{"tee", tee}, {"snp_launch_digest", value}, {"host_data", host_data}, {"cmdline", image.cmdline}};
        if (explain)
            out["pages"] = snp_trace_json(digest);
        std::printf("%s\n", out.dump(2).c_str());
        return;
    }
    if (explain) {
        std::printf("# tee: %s\n# cmdline: %s\n# host_data: %s\n", tee.c_str(), image.cmdline.c_str(),
                    host_data.c_str());
        print_snp_trace(digest);
    }
    std::printf("%s\n", value.c_str());
}

}  // namespace

int run_launch_command(int argc, char** argv) {
    auto options = launch_options();
    cxxopts::ParseResult args;
    try {
        args = options.parse(argc, argv);
    } catch (const cxxopts::exceptions::exception& e) {
        return fail(std::string(e.what()) + " (see cw-measure launch --help)");
    }
    if (args.count("help") != 0) {
        std::printf("%s\n", options.help().c_str());
        return 0;
    }
    if (!args.unmatched().empty())
        return fail("unexpected argument '" + args.unmatched().front() + "'");
    if (args.count("kernel") == 0)
        return fail("--kernel is required");

    vmm::LaunchSpec spec;
    const std::string tee = args["tee"].as<std::string>();
    if (tee != "sim" && tee != "snp")
        return fail("--tee '" + tee + "': expected sim or snp (tdx is not measured yet)");
    spec.tee = tee == "sim" ? vmm::TeeKind::Sim : vmm::TeeKind::Snp;
    spec.kernel_path = args["kernel"].as<std::string>();
    if (args.count("initrd") != 0)
        spec.initrd_path = args["initrd"].as<std::string>();
    spec.extra_cmdline = args["cmdline"].as<std::string>();
    if (args.count("workload-config") != 0)
        spec.workload_config_path = args["workload-config"].as<std::string>();
    spec.vcpus = args["cpus"].as<uint32_t>();
    spec.mem_mib = args["mem"].as<uint32_t>();
    const std::string console = args["console"].as<std::string>();
    if (console != "virtio" && console != "serial")
        return fail("--console '" + console + "': expected virtio or serial");
    spec.console = console == "virtio" ? vmm::ConsoleKind::Virtio : vmm::ConsoleKind::Serial;
    spec.disks = args["disks"].as<uint32_t>();

    auto measured = vmm::measure_launch_spec(spec, args.count("explain") != 0);
    if (!measured.ok())
        return fail(measured.error().to_string());
    print(tee, measured->digest, measured->image, args.count("explain") != 0, args.count("json") != 0);
    return 0;
}

}  // namespace cw::tee::cli
