// cwrun: runs a microVM from the command line; a thin CLI over the cw_vmm C API.
// Repeatable options keep their values whole: cxxopts would split "FILE,ro" at the comma.
#define CXXOPTS_VECTOR_DELIMITER '\0'
#include <cxxopts.hpp>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "cwrun/image_cache.h"
#include "cwrun/image_launch.h"
#include "cwrun/vm_launch.h"
#include "cwrun/workload_file.h"
#include "vmm/api/cw_vmm.h"

namespace {

constexpr int kUsageError = 125;

constexpr const char* kImageModeHelp =
    "Image mode: cwrun [options] WORKLOAD [-- ARGS...] runs what oci2cw wrote. WORKLOAD is its --output\n"
    "directory or the workload.json in it. cwrun boots the project's kernel and guest initramfs with\n"
    "workload.json as the workload configuration, the rootfs file it names as vda (read-only, serial\n"
    "\"rootfs\"), and the tee, cpus and ram_mib it gives: the launch oci2cw measured. For a sim, snp or tdx\n"
    "workload, options that would change that measurement (--tee, --cpus, --mem, --kernel, --initrd with\n"
    "other contents, --cmdline, --console, --disk) are refused; a tee none workload takes any of them.\n"
    "A sim workload needs --sim-key. With an attestation_url https://HOST:PORT the guest's connections to\n"
    "host vsock port PORT go to HOST:PORT, or to --attest-url. ARGS become the guest init's arguments\n"
    "(words after -- on the kernel command line, which is measured: a TEE workload's attestation policy\n"
    "must list the resulting measurement).\n"
    "WORKLOAD may also be the OCI image oci2cw --output-image wrote: oci-archive:FILE[:TAG] or oci:DIR[:TAG].\n"
    "Its workload.json, measurement.json and disk are extracted once into\n"
    "${XDG_CACHE_HOME:-~/.cache}/confidential-workloads/images/sha256-<manifest digest>/ and run from there.\n"
    "--print-launch prints the launch cwrun would make as JSON and exits without booting.\n";

int error(const std::string& message) {
    std::fprintf(stderr, "cwrun: %s\n", message.c_str());
    return kUsageError;
}

using cw::cwrun::DiskSpec;
using Launch = cw::cwrun::VmLaunch;
using cw::cwrun::parse_disks;

// cxxopts stops at the first "--" that is not an option's value; so does this scan, which
// leaves everything after it for the guest (cwrun DIR -- -x --y passes -x and --y through).
// Every long option but the flags --help and --print-launch takes a value, given as "--opt=V"
// or as the next argument.
int find_dashes(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--")
            return i;
        if (arg.rfind("--", 0) == 0 && arg.find('=') == std::string::npos && arg != "--help" &&
            arg != "--print-launch")
            ++i;
    }
    return argc;
}

std::vector<std::string> option_list(const cxxopts::ParseResult& args, const char* name) {
    return args.count(name) != 0 ? args[name].as<std::vector<std::string>>() : std::vector<std::string>();
}

std::optional<std::string> given(const cxxopts::ParseResult& args, const char* name) {
    return args.count(name) != 0 ? std::optional(args[name].as<std::string>()) : std::nullopt;
}

std::optional<int> given_int(const cxxopts::ParseResult& args, const char* name) {
    return args.count(name) != 0 ? std::optional(args[name].as<int>()) : std::nullopt;
}

// cwrun [options]: everything from the options, as before image mode.
cw::Result<Launch> raw_launch(const cxxopts::ParseResult& args) {
    Launch l;
    l.cpus = static_cast<uint32_t>(args["cpus"].as<int>());
    l.mem_mib = static_cast<uint32_t>(args["mem"].as<int>());
    if (args.count("kernel") != 0) {
        l.kernel = args["kernel"].as<std::string>();
    } else if (const char* built_in = cw_default_kernel()) {
        l.kernel = built_in;
    } else {
        return cw::Error::msg("no --kernel given and the project's guest kernel is not installed or built");
    }
    l.initrd = given(args, "initrd").value_or("");
    l.cmdline = args["cmdline"].as<std::string>();
    l.disks = CW_TRY(parse_disks(option_list(args, "disk")));
    l.console = args["console"].as<std::string>();
    l.tee = args["tee"].as<std::string>();
    l.workload_config = given(args, "workload-config").value_or("");
    if (args.count("attest-url") != 0)
        return cw::Error::msg("--attest-url applies to image mode only (cwrun [options] WORKLOAD)");
    return l;
}

// cwrun [options] WORKLOAD [-- ARGS...]: the launch oci2cw measured (cwrun/image_launch.h).
cw::Result<Launch> image_launch(const cxxopts::ParseResult& args, const std::string& workload_path,
                                const std::vector<std::string>& guest_args) {
    const auto workload = CW_TRY(cw::cwrun::read_workload_file(workload_path));
    if (workload.tee == "sim" && args.count("sim-key") == 0)
        return cw::Error::msg(workload.config_path +
                              ": a sim workload needs --sim-key KEY.pem (the host's P-384 private key that signs "
                              "its reports)");
    cw::cwrun::ImageOptions o;
    o.tee = given(args, "tee");
    o.kernel = given(args, "kernel");
    o.initrd = given(args, "initrd");
    o.cmdline = given(args, "cmdline");
    o.console = given(args, "console");
    o.cpus = given_int(args, "cpus");
    o.mem = given_int(args, "mem");
    o.extra_disks = option_list(args, "disk");
    o.workload_config = args.count("workload-config") != 0;
    o.attest_url = given(args, "attest-url");
    o.guest_args = guest_args;
    const char* kernel = cw_default_kernel();
    const char* initrd = cw_default_initrd();
    const auto plan = CW_TRY(cw::cwrun::plan_image_launch(
        workload, o, {kernel != nullptr ? kernel : "", initrd != nullptr ? initrd : ""}));

    Launch l = CW_TRY(cw::cwrun::launch_from_plan(plan, ""));
    if (plan.measured_guest_args)
        std::fprintf(stderr, "cwrun: arguments after -- are part of the measured kernel command line: the "
                             "attestation server releases the disk key only if its policy lists the resulting "
                             "measurement\n");
    return l;
}

// cwrun IMAGE: the image's cache entry, a directory as cwrun DIR takes it (cwrun/image_cache.h).
cw::Result<std::string> unpacked_workload(const std::string& reference) {
    const std::string cache = CW_TRY(cw::cwrun::default_image_cache());
    auto unpacked = CW_TRY(cw::cwrun::unpack_image(reference, cache));
    if (!unpacked.cache_hit)
        std::fprintf(stderr, "cwrun: extracted the workload of %s into %s\n", reference.c_str(), unpacked.dir.c_str());
    return unpacked.dir;
}

// --print-launch: what run() would hand the C API, as one JSON object on stdout.
void print_launch(const Launch& l) {
    nlohmann::json disks = nlohmann::json::array();
    for (const auto& d : l.disks)
        disks.push_back({{"path", d.path}, {"read_only", d.read_only}, {"id", d.id}});
    nlohmann::json out = {
        {"cpus", l.cpus},
        {"mem_mib", l.mem_mib},
        {"kernel", l.kernel},
        {"initrd", l.initrd},
        {"cmdline", l.cmdline},
        {"disks", disks},
        {"console", l.console},
        {"vsock_forwards", l.vsock_forwards},
        {"vsock_listens", l.vsock_listens},
        {"tee", l.tee},
        {"sim_key", l.sim_key},
        {"workload_config", l.workload_config},
        {"forward_signals", l.forward_signals},
    };
    // Replacement, not an exception, for a path that is not UTF-8.
    std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

// The C API calls, in one order for both modes.
int run(const Launch& l) {
    auto vm = cw::cwrun::configure(l);
    if (!vm.ok())
        return error(vm.error().to_string());
    auto status = vm->enter();
    if (!status.ok())
        return error(status.error().to_string());
    return *status;
}

}  // namespace

int main(int argc, char** argv) {
    cxxopts::Options options("cwrun", "Run a confidential-workload microVM");
    options.custom_help("[options] [WORKLOAD [-- ARGS...]]");
    options.set_width(100);
    options.add_options()
        ("kernel", "guest kernel (ELF vmlinux or bzImage); default: the project's kernel", cxxopts::value<std::string>())
        ("initrd", "initramfs image; image mode default: the project's guest initramfs", cxxopts::value<std::string>())
        ("cmdline", "text appended to the kernel command line", cxxopts::value<std::string>()->default_value(""))
        ("cpus", "number of vCPUs (1-64)", cxxopts::value<int>()->default_value("1"))
        ("mem", "guest memory in MiB", cxxopts::value<int>()->default_value("256"))
        ("disk", "add a virtio-blk disk: FILE[,ro][,id=SERIAL] (repeatable; vda, vdb, ...)",
         cxxopts::value<std::vector<std::string>>())
        ("console", "guest console: virtio (hvc0 on stdin/stdout) or serial (ttyS0, output only)",
         cxxopts::value<std::string>()->default_value("virtio"))
        ("vsock-forward", "guest connections to host vsock port PORT go to HOST:TCPPORT or a Unix socket: "
         "PORT=HOST:TCPPORT or PORT=unix:PATH (repeatable)", cxxopts::value<std::vector<std::string>>())
        ("vsock-listen", "host clients of the Unix socket PATH reach guest vsock port PORT: PATH=PORT (repeatable)",
         cxxopts::value<std::vector<std::string>>())
        ("tee", "confidential launch: none or sim (simulated: protects nothing); snp/tdx are refused, "
                "naming what the host lacks (their boot is not implemented yet)",
         cxxopts::value<std::string>()->default_value("none"))
        ("sim-key", "--tee sim: the host's P-384 private key (PEM) that signs sim reports",
         cxxopts::value<std::string>())
        ("workload-config", "workload configuration (JSON, <= 64 KiB), measured and readable in the guest as "
         "/cw/workload.json", cxxopts::value<std::string>())
        ("attest-url", "image mode: reach the workload's attestation server at https://HOST[:PORT] instead of "
         "its attestation_url (not measured: the guest still checks the server for the measured host)",
         cxxopts::value<std::string>())
        ("print-launch", "print the launch as JSON (cpus, memory, kernel, disks, ...) and exit without booting")
        ("h,help", "show this help");

    const int dashes = find_dashes(argc, argv);
    cxxopts::ParseResult args;
    try {
        args = options.parse(dashes, argv);
    } catch (const cxxopts::exceptions::exception& e) {
        return error(std::string(e.what()) + " (see cwrun --help)");
    }
    if (args.count("help") != 0) {
        std::printf("%s\n%s", options.help().c_str(), kImageModeHelp);
        return 0;
    }
    const std::vector<std::string> positional = args.unmatched();
    const std::vector<std::string> guest_args(argv + std::min(dashes + 1, argc), argv + argc);
    if (positional.size() > 1)
        return error("unexpected argument '" + positional[1] + "' (see cwrun --help)");
    if (positional.empty() && !guest_args.empty())
        return error("unexpected argument '" + guest_args.front() + "' (see cwrun --help)");

    int cpus = args["cpus"].as<int>();
    int mem = args["mem"].as<int>();
    if (cpus < 1 || cpus > 64)
        return error("--cpus " + std::to_string(cpus) + ": must be between 1 and 64");
    if (mem < 1)
        return error("--mem " + std::to_string(mem) + ": must be a positive number of MiB");

    std::string workload = positional.empty() ? "" : positional.front();
    if (cw::cwrun::is_image_reference(workload)) {
        auto dir = unpacked_workload(workload);
        if (!dir.ok())
            return error(dir.error().to_string());
        workload = *dir;
    }
    auto launch = positional.empty() ? raw_launch(args) : image_launch(args, workload, guest_args);
    if (!launch.ok())
        return error(launch.error().to_string());
    for (auto& spec : option_list(args, "vsock-forward"))
        launch->vsock_forwards.push_back(std::move(spec));
    launch->vsock_listens = option_list(args, "vsock-listen");
    launch->sim_key = given(args, "sim-key").value_or("");
    if (args.count("print-launch") != 0) {
        print_launch(*launch);
        return 0;
    }
    return run(*launch);
}
