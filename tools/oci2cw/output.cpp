#include "output.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "base/hex.h"
#include "base/unique_fd.h"
#include "tee/launch/workload_cpio.h"
#include "workload/workload_config.h"

namespace cw::oci {

Result<void> hash_file(const std::string& path, std::string& hex, uint64_t& size) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid())
        return Error::sys("open " + path);
    Sha256 h;
    char buf[1 << 16];
    size = 0;
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0)
            return Error::sys("read " + path);
        if (n == 0)
            break;
        h.update(buf, static_cast<size_t>(n));
        size += static_cast<uint64_t>(n);
    }
    hex = h.finish().hex;
    return {};
}

namespace {

nlohmann::json verity_json(const disk::VerityInfo& v) {
    return {
        {"version", 1},
        {"hash", "sha256"},
        {"data_block_size", disk::kVerityBlockSize},
        {"hash_block_size", disk::kVerityBlockSize},
        {"data_blocks", v.data_blocks},
        {"hash_offset", v.hash_offset},
        {"hash_size", v.hash_size},
        {"superblock", false},
        {"salt", to_hex_lower(v.salt)},
        {"root_hash", to_hex_lower(v.root_hash)},
    };
}

nlohmann::json rootfs_json(const Artifacts& a) {
    nlohmann::json j = {
        {"file", a.rootfs_file},
        {"format", a.luks ? "luks2" : "squashfs+verity"},
        {"size", a.rootfs_size},
        {"sha256", a.rootfs_sha256},
        {"squashfs_size", a.squashfs_size},
        {"verity", verity_json(a.verity)},
    };
    if (a.luks)
        j["encryption"] = {
            {"cipher", "aes-xts-plain64"},
            {"key_bits", disk::kVolumeKeySize * 8},
            {"sector_size", disk::kLuksSectorSize},
            {"data_offset", a.luks->data_offset},
            {"payload_size", a.luks->payload_size},
            {"keyslot", 0},
            {"uuid", a.luks->uuid},
        };
    return j;
}

}  // namespace

Result<std::string> workload_json(const ImageConfig& c, const Artifacts& a, const WorkloadSettings& w) {
    // nlohmann::json keeps object keys in a std::map: dump() emits them sorted, compactly.
    nlohmann::json j = {
        {"version", kWorkloadFormatVersion},
        {"workload_id", w.workload_id},
        {"tee", w.tee},
        {"cpus", w.cpus},
        {"ram_mib", w.ram_mib},
        {"entrypoint", c.entrypoint},
        {"cmd", c.cmd},
        {"env", c.env},
        {"working_dir", c.working_dir},
        {"user", c.user},
        {"rootfs", rootfs_json(a)},
    };
    if (!w.attestation_url.empty()) {
        j["attestation_url"] = w.attestation_url;
        j["attestation_ca"] = w.attestation_ca;
    }
    std::string text;
    try {
        text = j.dump();
    } catch (const nlohmann::json::exception& e) {  // invalid UTF-8: the image's strings were checked
        return Error::msg(std::string("workload.json: ") + e.what());
    }
    if (text.size() > tee::kMaxWorkloadConfigBytes)
        return Error::msg("workload.json: " + std::to_string(text.size()) + " bytes, more than the " +
                          std::to_string(tee::kMaxWorkloadConfigBytes) +
                          " a workload configuration may have (a very large env?)");
    // The reader cwrun and the guest use must accept what we write: a disagreement is our bug,
    // and it is caught here rather than by a guest that refuses to boot.
    if (auto back = workload::parse_workload_config(text); !back)
        return std::move(back).error().context("oci2cw wrote a workload.json its own reader refuses");
    return text;
}

Result<void> write_output_file(const std::string& dir, const std::string& name, const std::string& text) {
    std::string tmp = dir + "/" + name + ".partial";
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd.valid())
        return Error::sys("create " + tmp);
    if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
        ::unlink(tmp.c_str());
        return Error::sys("write " + tmp);
    }
    fd.reset();
    if (std::rename(tmp.c_str(), (dir + "/" + name).c_str()) != 0)
        return Error::sys("rename " + tmp);
    return {};
}

}  // namespace cw::oci
