#include "cwrun/image_launch.h"

#include <doctest/doctest.h>

#include "cwrun/test_workload_dir.h"

namespace cw::cwrun {

namespace {

// A workload directory plus stand-ins for the project's kernel and initramfs.
struct Fixture {
    testing::WorkloadDir w;
    DefaultBootFiles defaults;
    Fixture() {
        w.write_file("vmlinux", "the project's kernel");
        w.write_file("initramfs.cpio", "the project's initramfs");
        w.write_file("vmlinux-copy", "the project's kernel");
        w.write_file("other-kernel", "another kernel, same size");
        defaults = {path("vmlinux"), path("initramfs.cpio")};
    }
    std::string path(const std::string& name) const { return (w.dir / name).string(); }
    Result<ImageLaunch> plan(const ImageOptions& options) {
        w.write();
        return plan_image_launch(read_workload_file(w.dir.string()).value(), options, defaults);
    }
    std::string refusal(const ImageOptions& options) {
        auto r = plan(options);
        REQUIRE_FALSE(r.ok());
        return r.error().to_string();
    }
};

constexpr const char* kSimRefusal = "would change the launch measurement of this sim workload";

}  // namespace

TEST_CASE("image mode: a sim workload is launched as oci2cw measured it") {
    Fixture f;
    auto r = f.plan({});
    REQUIRE_MESSAGE(r.ok(), r.error().to_string());
    CHECK(r->tee == "sim");
    CHECK(r->cpus == 2);
    CHECK(r->mem_mib == 512);
    CHECK(r->kernel == f.path("vmlinux"));
    CHECK(r->initrd == f.path("initramfs.cpio"));
    CHECK(r->cmdline.empty());
    CHECK(r->console == "virtio");
    CHECK(r->workload_config == f.path("workload.json"));
    CHECK(r->rootfs == f.path("disk.img"));
    CHECK(r->extra_disks.empty());
    CHECK(r->vsock_forward == "8443=attest.example:8443");
    CHECK_FALSE(r->measured_guest_args);
}

TEST_CASE("image mode: the same values given explicitly change nothing") {
    Fixture f;
    ImageOptions o;
    o.tee = "sim";
    o.cpus = 2;
    o.mem = 512;
    o.console = "virtio";
    o.cmdline = "";
    o.kernel = f.path("vmlinux-copy");  // other path, same bytes
    o.initrd = f.path("initramfs.cpio");
    auto r = f.plan(o);
    REQUIRE_MESSAGE(r.ok(), r.error().to_string());
    CHECK(r->kernel == f.path("vmlinux-copy"));
    CHECK(r->cmdline.empty());
}

TEST_CASE("image mode: options that change a TEE workload's measurement are refused in one line") {
    Fixture f;
    auto check = [&](ImageOptions o, const std::string& expected) {
        const std::string line = f.refusal(o);
        CHECK_MESSAGE(line.find(expected) == 0, line);
        CHECK(line.find("; the attestation server would refuse it") != std::string::npos);
    };
    ImageOptions o;
    o.cpus = 1;
    check(o, std::string("--cpus 1 ") + kSimRefusal + " (workload.json: 2)");
    o = {};
    o.mem = 256;
    check(o, std::string("--mem 256 ") + kSimRefusal + " (workload.json: 512)");
    o = {};
    o.tee = "none";
    check(o, std::string("--tee none ") + kSimRefusal + " (workload.json: sim)");
    o = {};
    o.console = "serial";
    check(o, std::string("--console serial ") + kSimRefusal);
    o = {};
    o.cmdline = "loglevel=7";
    check(o, std::string("--cmdline loglevel=7 ") + kSimRefusal + " (measured without --cmdline)");
    o = {};
    o.extra_disks = {"/tmp/data.img"};
    check(o, std::string("--disk /tmp/data.img ") + kSimRefusal + " (launched with one disk, its rootfs)");
    o = {};
    o.kernel = f.path("other-kernel");
    check(o, "--kernel " + f.path("other-kernel") + " " + kSimRefusal + " (measured with the project's kernel " +
                 f.path("vmlinux") + ")");
    o = {};
    o.initrd = f.path("other-kernel");
    check(o, "--initrd " + f.path("other-kernel") + " " + kSimRefusal);
    o = {};
    o.kernel = f.path("missing");
    CHECK(f.refusal(o).find("--kernel: " + f.path("missing") + ": No such file") == 0);
}

TEST_CASE("image mode: arguments after -- go on the command line, flagged as measured") {
    Fixture f;
    ImageOptions o;
    o.guest_args = {"-x", "a b"};
    auto r = f.plan(o);
    REQUIRE(r.ok());
    CHECK(r->cmdline == "-- -x \"a b\"");
    CHECK(r->measured_guest_args);
    o.guest_args = {"say \"hi\""};
    CHECK(f.refusal(o).find("contains '\"'") != std::string::npos);
}

TEST_CASE("image mode: a tee none workload takes any override and needs no forward") {
    Fixture f;
    f.w.make_plain();
    ImageOptions o;
    o.cpus = 4;
    o.mem = 1024;
    o.console = "serial";
    o.cmdline = "loglevel=7";
    o.kernel = f.path("other-kernel");
    o.extra_disks = {"/tmp/data.img,ro"};
    o.guest_args = {"sh"};
    auto r = f.plan(o);
    REQUIRE_MESSAGE(r.ok(), r.error().to_string());
    CHECK(r->tee == "none");
    CHECK(r->cpus == 4);
    CHECK(r->mem_mib == 1024);
    CHECK(r->console == "serial");
    CHECK(r->cmdline == "loglevel=7 -- sh");
    CHECK(r->kernel == f.path("other-kernel"));
    CHECK(r->extra_disks == std::vector<std::string>{"/tmp/data.img,ro"});
    CHECK_FALSE(r->vsock_forward.has_value());
    CHECK_FALSE(r->measured_guest_args);
    o = {};
    o.attest_url = "https://10.0.0.9";
    CHECK(f.refusal(o).find("does not attest") != std::string::npos);
}

TEST_CASE("image mode: --attest-url moves only where the host forwards the measured port") {
    Fixture f;
    ImageOptions o;
    o.attest_url = "https://10.0.0.9:9443";
    auto r = f.plan(o);
    REQUIRE(r.ok());
    CHECK(r->vsock_forward == "8443=10.0.0.9:9443");
    o.attest_url = "10.0.0.9";
    CHECK(f.refusal(o).find("--attest-url \"10.0.0.9\": expected https://HOST[:PORT]") == 0);
    f.w.config.erase("attestation_url");
    f.w.config.erase("attestation_ca");
    o.attest_url = "https://10.0.0.9";
    CHECK(f.refusal(o).find("has no attestation_url") != std::string::npos);
    f.w.config["attestation_url"] = "https://attest.example:4050";
    f.w.config["attestation_ca"] = "-----BEGIN CERTIFICATE-----\n";
    CHECK(f.refusal({}).find("attestation_url port 4050 is the vsock port of the sim report service") == 0);
}

TEST_CASE("image mode: missing boot files and --workload-config") {
    Fixture f;
    f.defaults = {};
    CHECK(f.refusal({}) == "no --kernel given and the project's guest kernel is not installed or built");
    f.defaults.kernel = f.path("vmlinux");
    CHECK(f.refusal({}) == "no --initrd given and the project's guest initramfs is not installed or built");
    ImageOptions o;
    o.kernel = f.path("other-kernel");  // nothing to compare with: taken as given
    o.initrd = f.path("initramfs.cpio");
    f.defaults = {};
    CHECK(f.plan(o).ok());
    o.workload_config = true;
    CHECK(f.refusal(o).find("--workload-config: image mode takes the workload configuration from WORKLOAD") == 0);
}

}  // namespace cw::cwrun
