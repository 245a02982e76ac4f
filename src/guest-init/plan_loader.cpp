#include "guest-init/plan_loader.h"

#include "base/mapped_file.h"

namespace cw::guest {

namespace {

GuestTee guest_tee(workload::Tee tee) {
    switch (tee) {
    case workload::Tee::None: return GuestTee::None;
    case workload::Tee::Sim: return GuestTee::Sim;
    case workload::Tee::Snp: return GuestTee::Snp;
    case workload::Tee::Tdx: return GuestTee::Tdx;
    }
    return GuestTee::None;
}

}  // namespace

Result<GuestPlan> plan_from_config(const workload::WorkloadConfig& config, const std::vector<std::string>& args) {
    GuestPlan plan;
    plan.workload_id = config.workload_id;
    plan.tee = guest_tee(config.tee);
    plan.cpus = config.cpus;
    plan.ram_mib = config.ram_mib;
    plan.encrypted = config.rootfs.encryption.has_value();
    plan.verity.data_blocks = config.rootfs.verity.data_blocks;
    plan.verity.hash_offset = config.rootfs.verity.hash_offset;
    plan.verity.salt = config.rootfs.verity.salt;
    plan.verity.root_hash = config.rootfs.verity.root_hash;
    if (plan.encrypted) {
        // A disk only the attestation server can unlock, and no server: oci2cw --no-register.
        if (!config.attestation)
            return Error::msg("the disk is encrypted and the workload configuration names no attestation server "
                              "(converted with --no-register?)");
        AttestPlan attest;
        attest.server_name = config.attestation->server.host;
        attest.vsock_port = config.attestation->server.port;  // cwrun forwards this host vsock port
        attest.ca_pem = config.attestation->ca_pem;
        plan.attest = std::move(attest);
    }
    plan.process.entrypoint = config.entrypoint;
    plan.process.cmd = config.cmd;
    if (!args.empty())
        plan.process.override_args = args;
    plan.process.env = config.env;
    plan.process.working_dir = config.working_dir;
    plan.process.user = config.user;
    return plan;
}

Result<GuestPlan> load_plan(const std::string& path, const std::vector<std::string>& args) {
    auto file = CW_TRY(MappedFile::open(path, workload::kMaxConfigBytes).context(path));
    auto bytes = file.bytes();
    auto config = CW_TRY(
        workload::parse_workload_config(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size())));
    return plan_from_config(config, args);
}

}  // namespace cw::guest
