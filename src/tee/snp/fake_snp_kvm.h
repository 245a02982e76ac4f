// A recording SnpKvm for the unit tests: keeps a copy of every structure it is given, in
// call order, answers the capability queries from fields, and fails the command named in
// fail_on. No ioctl is issued.
#pragma once

#include <cerrno>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tee/snp/snp_kvm.h"

namespace cw::tee::snp::testing {

class FakeSnpKvm final : public SnpKvm {
public:
    // Capability answers.
    Result<uint64_t> vm_types = uint64_t{1} << uapi::kKvmX86SnpVm;
    bool sev_device = true;
    // The command ("init2", "start", "update", "finish") that fails, with EIO.
    std::string fail_on;

    // What was issued, in order ("init2", "start", "update", ...), and the structures.
    std::vector<std::string> calls;
    std::optional<uapi::KvmSevInit> init;
    std::optional<uapi::KvmSevSnpLaunchStart> start;
    std::vector<uapi::KvmSevSnpLaunchUpdate> updates;
    std::optional<uapi::KvmSevSnpLaunchFinish> finish;

    Result<uint64_t> supported_vm_types() override { return vm_types; }
    Result<void> require_sev_device() override {
        if (!sev_device)
            return Error::sys("/dev/sev", ENOENT);
        return {};
    }
    Result<void> sev_init2(const uapi::KvmSevInit& value) override {
        init = value;
        return record("init2");
    }
    Result<void> snp_launch_start(const uapi::KvmSevSnpLaunchStart& value) override {
        start = value;
        return record("start");
    }
    Result<void> snp_launch_update(const uapi::KvmSevSnpLaunchUpdate& value) override {
        updates.push_back(value);
        return record("update");
    }
    Result<void> snp_launch_finish(const uapi::KvmSevSnpLaunchFinish& value) override {
        finish = value;
        return record("finish");
    }

private:
    Result<void> record(const std::string& name) {
        calls.push_back(name);
        if (name == fail_on)
            return Error::sys("fake " + name, EIO);
        return {};
    }
};

}  // namespace cw::tee::snp::testing
