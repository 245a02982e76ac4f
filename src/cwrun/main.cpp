// cwrun: runs a microVM from the command line; a thin CLI over the cw_vmm C API.
// Repeatable options keep their values whole: cxxopts would split "FILE,ro" at the comma.
#define CXXOPTS_VECTOR_DELIMITER '\0'
#include <cxxopts.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "vmm/api/cw_vmm.h"

namespace {

constexpr int kUsageError = 125;

int error(const std::string& message) {
    std::fprintf(stderr, "cwrun: %s\n", message.c_str());
    return kUsageError;
}

struct DiskSpec {
    std::string path;
    bool read_only = false;
    std::string id;
};

// FILE[,ro][,id=SERIAL]: the options after the first comma.
std::optional<DiskSpec> parse_disk(const std::string& spec) {
    DiskSpec disk;
    size_t pos = spec.find(',');
    disk.path = spec.substr(0, pos);
    if (disk.path.empty())
        return std::nullopt;
    while (pos != std::string::npos) {
        size_t next = spec.find(',', pos + 1);
        std::string option = spec.substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1);
        if (option == "ro")
            disk.read_only = true;
        else if (option.rfind("id=", 0) == 0 && option.size() > 3)
            disk.id = option.substr(3);
        else
            return std::nullopt;
        pos = next;
    }
    return disk;
}

}  // namespace

int main(int argc, char** argv) {
    cxxopts::Options options("cwrun", "Run a confidential-workload microVM");
    options.add_options()
        ("kernel", "guest kernel (ELF vmlinux or bzImage); default: the project's kernel", cxxopts::value<std::string>())
        ("initrd", "initramfs image", cxxopts::value<std::string>())
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
        ("tee", "confidential launch: none or sim (simulated: protects nothing; snp/tdx not implemented yet)",
         cxxopts::value<std::string>()->default_value("none"))
        ("sim-key", "--tee sim: the host's P-384 private key (PEM) that signs sim reports",
         cxxopts::value<std::string>())
        ("workload-config", "workload configuration (JSON, <= 64 KiB), measured and readable in the guest as "
         "/cw/workload.json", cxxopts::value<std::string>())
        ("h,help", "show this help");

    cxxopts::ParseResult args;
    try {
        args = options.parse(argc, argv);
    } catch (const cxxopts::exceptions::exception& e) {
        return error(std::string(e.what()) + " (see cwrun --help)");
    }
    if (args.count("help") != 0) {
        std::printf("%s\n", options.help().c_str());
        return 0;
    }
    if (!args.unmatched().empty())
        return error("unexpected argument '" + args.unmatched().front() + "' (see cwrun --help)");

    int cpus = args["cpus"].as<int>();
    int mem = args["mem"].as<int>();
    if (cpus < 1 || cpus > 64)
        return error("--cpus " + std::to_string(cpus) + ": must be between 1 and 64");
    if (mem < 1)
        return error("--mem " + std::to_string(mem) + ": must be a positive number of MiB");

    std::string kernel;
    if (args.count("kernel") != 0) {
        kernel = args["kernel"].as<std::string>();
    } else if (const char* built_in = cw_default_kernel()) {
        kernel = built_in;
    } else {
        return error("no --kernel given and the project's guest kernel is not installed or built");
    }
    std::string initrd = args.count("initrd") != 0 ? args["initrd"].as<std::string>() : "";
    std::string cmdline = args["cmdline"].as<std::string>();

    int32_t ctx = cw_create_ctx();
    if (ctx < 0)
        return error("cannot create a VM context");
    auto id = static_cast<uint32_t>(ctx);
    cw_set_vm_config(id, static_cast<uint8_t>(cpus), static_cast<uint32_t>(mem));
    if (cw_set_kernel(id, kernel.c_str(), initrd.empty() ? nullptr : initrd.c_str(), cmdline.c_str()) < 0)
        return error(cw_get_error(id));
    if (args.count("disk") != 0) {
        for (const auto& spec : args["disk"].as<std::vector<std::string>>()) {
            auto disk = parse_disk(spec);
            if (!disk)
                return error("--disk '" + spec + "': expected FILE[,ro][,id=SERIAL]");
            if (cw_add_disk(id, disk->id.empty() ? nullptr : disk->id.c_str(), disk->path.c_str(), disk->read_only) < 0)
                return error(cw_get_error(id));
        }
    }
    const std::string console = args["console"].as<std::string>();
    if (console != "virtio" && console != "serial")
        return error("--console '" + console + "': expected virtio or serial");
    cw_set_console(id, console == "virtio" ? CW_CONSOLE_VIRTIO : CW_CONSOLE_SERIAL);
    for (const char* option : {"vsock-forward", "vsock-listen"}) {
        if (args.count(option) == 0)
            continue;
        for (const auto& spec : args[option].as<std::vector<std::string>>()) {
            bool forward = std::string(option) == "vsock-forward";
            if ((forward ? cw_add_vsock_forward(id, spec.c_str()) : cw_add_vsock_listen(id, spec.c_str())) < 0)
                return error(cw_get_error(id));  // the parser names the option
        }
    }
    const std::string tee = args["tee"].as<std::string>();
    const std::string sim_key = args.count("sim-key") != 0 ? args["sim-key"].as<std::string>() : "";
    if (tee != "sim" && !sim_key.empty())
        return error("--sim-key applies to --tee sim only");
    if (cw_set_tee(id, tee.c_str(), sim_key.c_str()) < 0)
        return error(cw_get_error(id));
    if (args.count("workload-config") != 0 &&
        cw_set_workload_config(id, args["workload-config"].as<std::string>().c_str()) < 0)
        return error(cw_get_error(id));
    int32_t status = cw_start_enter(id);
    if (status < 0)
        return error(cw_get_error(id));
    cw_free_ctx(id);
    return status;
}
