#include "guest-init/plan_loader.h"

#include <doctest/doctest.h>

using namespace cw::guest;

namespace {

cw::workload::WorkloadConfig sim_workload() {
    cw::workload::WorkloadConfig c;
    c.workload_id = "hello";
    c.tee = cw::workload::Tee::Sim;
    c.cpus = 2;
    c.ram_mib = 256;
    c.entrypoint = {"/bin/busybox"};
    c.cmd = {"sh"};
    c.env = {"PATH=/bin"};
    c.user = "1000";
    c.rootfs.verity.data_blocks = 3;
    c.rootfs.verity.hash_offset = 3 * 4096;
    c.rootfs.verity.root_hash[0] = 0xab;
    c.rootfs.encryption = cw::workload::Encryption{};
    c.attestation = cw::workload::Attestation{{"https://attest.example:8443", "attest.example", 8443}, "PEM"};
    return c;
}

}  // namespace

TEST_CASE("plan: a sim workload attests to the measured server through its vsock port") {
    auto plan = plan_from_config(sim_workload(), {});
    REQUIRE(plan.ok());
    CHECK(plan->tee == GuestTee::Sim);
    CHECK(plan->encrypted);
    REQUIRE(plan->attest.has_value());
    CHECK(plan->attest->server_name == "attest.example");
    CHECK(plan->attest->vsock_port == 8443);
    CHECK(plan->attest->ca_pem == "PEM");
    CHECK(plan->verity.root_hash[0] == 0xab);
    CHECK(plan->verity.hash_offset == 3 * 4096);
    CHECK_FALSE(plan->process.override_args.has_value());
    CHECK(plan->process.user == "1000");
}

TEST_CASE("plan: arguments replace cmd") {
    auto plan = plan_from_config(sim_workload(), {"-c", "echo hi"});
    REQUIRE(plan.ok());
    REQUIRE(plan->process.override_args.has_value());
    CHECK(*plan->process.override_args == std::vector<std::string>{"-c", "echo hi"});
}

TEST_CASE("plan: an encrypted disk without a server is refused, a plain one needs none") {
    auto c = sim_workload();
    c.attestation.reset();
    auto plan = plan_from_config(c, {});
    REQUIRE_FALSE(plan.ok());
    CHECK(plan.error().to_string().find("no attestation server") != std::string::npos);
    c.tee = cw::workload::Tee::None;
    c.rootfs.encryption.reset();
    auto plain = plan_from_config(c, {});
    REQUIRE(plain.ok());
    CHECK_FALSE(plain->encrypted);
    CHECK_FALSE(plain->attest.has_value());
}

TEST_CASE("plan: a missing configuration file names the path") {
    auto plan = load_plan("/nonexistent/cw/workload.json", {});
    REQUIRE_FALSE(plan.ok());
    CHECK(plan.error().to_string().find("/nonexistent/cw/workload.json") != std::string::npos);
}
