// One microVM launch as the cw_vmm C API takes it, shared by cwrun and the OCI runtime krun
// (podman/krun), so a workload runs through the same calls whichever front end starts it.
// configure() makes every call that can refuse the launch (files, tee, vsock specs) without
// building the VM; enter() builds and runs it. krun configures during `create`, so a launch
// that cannot run fails there, and enters after `start`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "cwrun/image_launch.h"

namespace cw::cwrun {

struct DiskSpec {
    std::string path;
    bool read_only = false;
    std::string id;
};

struct VmLaunch {
    uint32_t cpus = 1;
    uint32_t mem_mib = 256;
    std::string kernel;
    std::string initrd;  // empty: none
    std::string cmdline;
    std::vector<DiskSpec> disks;
    std::string console = "virtio";
    std::vector<std::string> vsock_forwards;
    std::vector<std::string> vsock_listens;
    std::string tee = "none";
    std::string sim_key;
    std::string workload_config;   // empty: none
    bool forward_signals = false;  // image mode: guest-init relays SIGTERM/SIGINT/SIGHUP to the workload
};

// FILE[,ro][,id=SERIAL] (cwrun --disk): the error names the bad spec.
[[nodiscard]] Result<std::vector<DiskSpec>> parse_disks(const std::vector<std::string>& specs);

// The launch oci2cw measured (plan_image_launch's result) with the host-side sim key.
[[nodiscard]] Result<VmLaunch> launch_from_plan(const ImageLaunch& plan, const std::string& sim_key);

// A configured cw_vmm context; freed on destruction.
class ConfiguredVm {
public:
    explicit ConfiguredVm(uint32_t ctx) : m_ctx(ctx) {}
    ConfiguredVm(ConfiguredVm&& other) noexcept : m_ctx(other.m_ctx), m_owned(other.m_owned) { other.m_owned = false; }
    ConfiguredVm(const ConfiguredVm&) = delete;
    ConfiguredVm& operator=(const ConfiguredVm&) = delete;
    ConfiguredVm& operator=(ConfiguredVm&&) = delete;
    ~ConfiguredVm();

    // Builds and runs the VM until the guest stops: the workload's exit status (0..255), or
    // an error when the VM could not be built.
    [[nodiscard]] Result<int> enter();

private:
    uint32_t m_ctx;
    bool m_owned = true;
};

[[nodiscard]] Result<ConfiguredVm> configure(const VmLaunch& launch);

}  // namespace cw::cwrun
