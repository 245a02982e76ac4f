#include "vmm/api/cw_vmm.h"

#include <sys/stat.h>

#include <cerrno>
#include <map>
#include <mutex>
#include <string>

#include "tee/snp/snp_host_check.h"
#include "tee/snp/snp_kvm_ioctl.h"
#include "vmm/vm.h"

namespace {

struct Context {
    cw::vmm::VmConfig config;
    std::string last_error;
};

std::mutex g_mutex;
std::map<uint32_t, Context> g_contexts;
uint32_t g_next_id = 0;

// Context storage is node-based: pointers stay valid while other contexts come and go.
Context* find(uint32_t ctx) {
    std::lock_guard lock(g_mutex);
    auto it = g_contexts.find(ctx);
    return it == g_contexts.end() ? nullptr : &it->second;
}

int32_t fail(Context& c, int err, std::string message) {
    c.last_error = std::move(message);
    return -err;
}

// --tee snp / tdx: says in one line what this host lacks; on a host that has it, says that
// the confidential boot itself is not built yet. Never falls back to an ordinary VM.
std::string confidential_tee_refusal(const std::string& kind) {
    cw::tee::snp::SnpKvmIoctl host;  // probes /dev/kvm (and /dev/sev for SNP) only
    if (kind == "snp") {
        if (auto r = cw::tee::snp::check_snp_host(host); !r)
            return r.error().to_string();
        return "SEV-SNP: this host offers SNP, but cwrun's SNP guest boot (guest_memfd private memory, "
               "the CPUID page, every vCPU's registers) is not implemented yet";
    }
    if (auto r = cw::tee::snp::check_tdx_vm_type(host.supported_vm_types()); !r)
        return r.error().to_string();
    return "TDX: this host offers TDX, but cwrun's TDX guest boot is not implemented yet";
}

bool is_file(const char* path) {
    struct stat st {};
    return ::stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

extern "C" {

int32_t cw_create_ctx(void) {
    std::lock_guard lock(g_mutex);
    if (g_next_id > INT32_MAX)
        return -ENOSPC;
    uint32_t id = g_next_id++;
    g_contexts.emplace(id, Context{});
    return static_cast<int32_t>(id);
}

int32_t cw_free_ctx(uint32_t ctx) {
    std::lock_guard lock(g_mutex);
    return g_contexts.erase(ctx) == 1 ? 0 : -ENOENT;
}

int32_t cw_set_vm_config(uint32_t ctx, uint8_t num_vcpus, uint32_t ram_mib) {
    Context* c = find(ctx);
    if (c == nullptr)
        return -ENOENT;
    c->config.vcpus = num_vcpus;
    c->config.mem_mib = ram_mib;
    return 0;
}

int32_t cw_set_kernel(uint32_t ctx, const char* kernel_path, const char* initramfs_path, const char* cmdline) {
    Context* c = find(ctx);
    if (c == nullptr)
        return -ENOENT;
    if (kernel_path == nullptr)
        return fail(*c, EINVAL, "no kernel path given");
    c->config.kernel_path = kernel_path;
    c->config.initrd_path = initramfs_path != nullptr ? initramfs_path : "";
    c->config.extra_cmdline = cmdline != nullptr ? cmdline : "";
    return 0;
}

int32_t cw_add_disk(uint32_t ctx, const char* block_id, const char* path, bool read_only) {
    Context* c = find(ctx);
    if (c == nullptr)
        return -ENOENT;
    if (path == nullptr)
        return fail(*c, EINVAL, "no disk path given");
    cw::devices::virtio::BlockConfig disk;
    disk.path = path;
    disk.read_only = read_only;
    disk.id = block_id != nullptr ? block_id : "";
    c->config.disks.push_back(std::move(disk));
    return 0;
}

int32_t cw_add_vsock_forward(uint32_t ctx, const char* spec) {
    Context* c = find(ctx);
    if (c == nullptr)
        return -ENOENT;
    auto target = cw::devices::virtio::parse_vsock_forward(spec != nullptr ? spec : "");
    if (!target.ok())
        return fail(*c, EINVAL, target.error().to_string());
    if (!c->config.vsock)
        c->config.vsock.emplace();
    c->config.vsock->targets.push_back(std::move(target).value());
    return 0;
}

int32_t cw_add_vsock_listen(uint32_t ctx, const char* spec) {
    Context* c = find(ctx);
    if (c == nullptr)
        return -ENOENT;
    auto listener = cw::devices::virtio::parse_vsock_listen(spec != nullptr ? spec : "");
    if (!listener.ok())
        return fail(*c, EINVAL, listener.error().to_string());
    if (!c->config.vsock)
        c->config.vsock.emplace();
    c->config.vsock->listeners.push_back(std::move(listener).value());
    return 0;
}

int32_t cw_set_console(uint32_t ctx, uint32_t kind) {
    Context* c = find(ctx);
    if (c == nullptr)
        return -ENOENT;
    if (kind == CW_CONSOLE_VIRTIO)
        c->config.console = cw::vmm::ConsoleKind::Virtio;
    else if (kind == CW_CONSOLE_SERIAL)
        c->config.console = cw::vmm::ConsoleKind::Serial;
    else
        return fail(*c, EINVAL, "unknown console kind " + std::to_string(kind));
    return 0;
}

int32_t cw_set_tee(uint32_t ctx, const char* tee, const char* key_path) {
    Context* c = find(ctx);
    if (c == nullptr)
        return -ENOENT;
    const std::string kind = tee != nullptr ? tee : "";
    if (kind == "none") {
        c->config.tee = cw::vmm::TeeKind::None;
        c->config.sim_key_path.clear();
        return 0;
    }
    if (kind == "snp" || kind == "tdx")
        return fail(*c, ENOTSUP, confidential_tee_refusal(kind));
    if (kind != "sim")
        return fail(*c, EINVAL, "--tee '" + kind + "': expected none or sim");
    if (key_path == nullptr || *key_path == '\0')
        return fail(*c, EINVAL, "--tee sim needs --sim-key KEY.pem (the host's P-384 private key)");
    c->config.tee = cw::vmm::TeeKind::Sim;
    c->config.sim_key_path = key_path;
    return 0;
}

int32_t cw_set_workload_config(uint32_t ctx, const char* path) {
    Context* c = find(ctx);
    if (c == nullptr)
        return -ENOENT;
    c->config.workload_config_path = path != nullptr ? path : "";
    return 0;
}

int32_t cw_set_forward_signals(uint32_t ctx, int32_t enable) {
    Context* c = find(ctx);
    if (c == nullptr)
        return -ENOENT;
    c->config.forward_signals = enable != 0;
    return 0;
}

int32_t cw_start_enter(uint32_t ctx) {
    Context* c = find(ctx);
    if (c == nullptr)
        return -ENOENT;
    auto vm = cw::vmm::Vm::create(c->config);
    if (!vm.ok())
        return fail(*c, vm.error().sys_errno() != 0 ? vm.error().sys_errno() : EINVAL, vm.error().to_string());
    auto status = vm.value()->run();
    if (!status.ok())
        return fail(*c, status.error().sys_errno() != 0 ? status.error().sys_errno() : EIO, status.error().to_string());
    return status.value();
}

const char* cw_get_error(uint32_t ctx) {
    Context* c = find(ctx);
    return c == nullptr ? "no such context" : c->last_error.c_str();
}

const char* cw_default_kernel(void) {
    // The installed kernel first, then the one in the build tree this library came from.
    for (const char* path : {CW_INSTALLED_KERNEL, CW_BUILD_TREE_KERNEL}) {
        if (is_file(path))
            return path;
    }
    return nullptr;
}

const char* cw_default_initrd(void) {
    for (const char* path : {CW_INSTALLED_INITRD, CW_BUILD_TREE_INITRD}) {
        if (is_file(path))
            return path;
    }
    return nullptr;
}

}  // extern "C"
