#include "workload/workload_config.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <initializer_list>

#include "base/hex.h"
#include "protocol/json_fields.h"
#include "protocol/protocol.h"

namespace cw::workload {

namespace {

using Json = nlohmann::json;

constexpr uint32_t kMaxCpus = 64;
constexpr uint32_t kMinRamMib = 32;
constexpr size_t kMaxListItems = 4096;  // argv and env entries
constexpr size_t kMaxCaBytes = 64 * 1024;

Error bad(std::string_view field, const std::string& why) {
    return Error::msg("workload.json: " + std::string(field) + ": " + why);
}

// A reader for one object of the file: every access names the field's full path.
class Fields {
public:
    Fields(std::string path, const Json& object) : m_path(std::move(path)), m_object(object) {}

    [[nodiscard]] bool has(std::string_view field) const { return m_object.contains(field); }

    [[nodiscard]] std::string name(std::string_view field) const {
        return m_path.empty() ? std::string(field) : m_path + "." + std::string(field);
    }

    Result<void> exactly(std::initializer_list<std::string_view> required,
                         std::initializer_list<std::string_view> optional = {}) const {
        for (const auto& [key, value] : m_object.items()) {
            (void)value;
            if (std::find(required.begin(), required.end(), key) == required.end() &&
                std::find(optional.begin(), optional.end(), key) == optional.end())
                return bad(m_path.empty() ? "(top level)" : m_path, "unknown field (a newer format?)");
        }
        for (std::string_view field : required) {
            if (!m_object.contains(field))
                return bad(name(field), "missing");
        }
        return {};
    }

    Result<const Json*> get(std::string_view field, Json::value_t type, const char* expected) const {
        auto it = m_object.find(field);
        if (it == m_object.end())
            return bad(name(field), "missing");
        bool ok = it->type() == type ||
                  (type == Json::value_t::number_unsigned && it->type() == Json::value_t::number_integer &&
                   it->get<int64_t>() >= 0);
        if (!ok)
            return bad(name(field), std::string("expected ") + expected);
        return &*it;
    }

    Result<std::string> string(std::string_view field, size_t max_bytes = 4096) const {
        const Json* v = CW_TRY(get(field, Json::value_t::string, "a string"));
        const auto& s = v->get_ref<const std::string&>();
        if (s.size() > max_bytes)
            return bad(name(field), "longer than " + std::to_string(max_bytes) + " bytes");
        return s;
    }

    Result<uint64_t> number(std::string_view field, uint64_t min, uint64_t max) const {
        const Json* v = CW_TRY(get(field, Json::value_t::number_unsigned, "a non-negative integer"));
        uint64_t n = v->get<uint64_t>();
        if (n < min || n > max)
            return bad(name(field), std::to_string(n) + " is outside " + std::to_string(min) + ".." +
                                        std::to_string(max));
        return n;
    }

    Result<void> constant(std::string_view field, uint64_t want) const {
        uint64_t n = CW_TRY(number(field, 0, UINT64_MAX));
        if (n != want)
            return bad(name(field), std::to_string(n) + ", the only supported value is " + std::to_string(want));
        return {};
    }

    Result<void> constant(std::string_view field, std::string_view want) const {
        std::string s = CW_TRY(string(field));
        if (s != want)
            return bad(name(field), "the only supported value is \"" + std::string(want) + "\"");
        return {};
    }

    Result<std::vector<std::string>> strings(std::string_view field) const {
        const Json* v = CW_TRY(get(field, Json::value_t::array, "an array of strings"));
        if (v->size() > kMaxListItems)
            return bad(name(field), "more than " + std::to_string(kMaxListItems) + " entries");
        std::vector<std::string> out;
        for (const auto& item : *v) {
            if (!item.is_string())
                return bad(name(field), "expected an array of strings");
            const auto& s = item.get_ref<const std::string&>();
            if (s.find('\0') != std::string::npos)
                return bad(name(field), "an entry holds a NUL byte");
            out.push_back(s);
        }
        return out;
    }

    Result<std::array<uint8_t, 32>> hex32(std::string_view field) const {
        std::string s = CW_TRY(string(field));
        auto bytes = from_hex(s);
        if (!bytes || bytes->size() != 32 || to_hex_lower(*bytes) != s)
            return bad(name(field), "expected 64 lowercase hex digits");
        std::array<uint8_t, 32> out{};
        std::copy(bytes->begin(), bytes->end(), out.begin());
        return out;
    }

    Result<Fields> object(std::string_view field) const {
        const Json* v = CW_TRY(get(field, Json::value_t::object, "an object"));
        return Fields(name(field), *v);
    }

private:
    std::string m_path;
    const Json& m_object;
};

Result<Tee> parse_tee(const std::string& s) {
    for (Tee t : {Tee::None, Tee::Sim, Tee::Snp, Tee::Tdx}) {
        if (s == tee_name(t))
            return t;
    }
    return bad("tee", "expected none, sim, snp or tdx");
}

Result<Verity> parse_verity(const Fields& f) {
    CW_TRY(f.exactly({"version", "hash", "data_block_size", "hash_block_size", "data_blocks", "hash_offset",
                      "hash_size", "superblock", "salt", "root_hash"}));
    CW_TRY(f.constant("version", 1));
    CW_TRY(f.constant("hash", "sha256"));
    CW_TRY(f.constant("data_block_size", kBlockSize));
    CW_TRY(f.constant("hash_block_size", kBlockSize));
    const Json* superblock = CW_TRY(f.get("superblock", Json::value_t::boolean, "false"));
    if (superblock->get<bool>())
        return bad(f.name("superblock"), "verity superblocks are not used: every parameter is in this file");
    Verity v;
    constexpr uint64_t kMaxBlocks = (uint64_t{1} << 40) / kBlockSize;  // 1 TiB of filesystem
    v.data_blocks = CW_TRY(f.number("data_blocks", 1, kMaxBlocks));
    v.hash_offset = CW_TRY(f.number("hash_offset", 0, UINT64_MAX));
    if (v.hash_offset != v.data_blocks * kBlockSize)
        return bad(f.name("hash_offset"), "must be data_blocks * 4096 (the tree follows the data)");
    v.hash_size = CW_TRY(f.number("hash_size", 0, v.data_blocks * kBlockSize));
    if (v.hash_size % kBlockSize != 0)
        return bad(f.name("hash_size"), "not a multiple of 4096");
    v.salt = CW_TRY(f.hex32("salt"));
    v.root_hash = CW_TRY(f.hex32("root_hash"));
    return v;
}

Result<Encryption> parse_encryption(const Fields& f) {
    CW_TRY(f.exactly({"cipher", "key_bits", "sector_size", "data_offset", "payload_size", "keyslot", "uuid"}));
    CW_TRY(f.constant("cipher", "aes-xts-plain64"));
    CW_TRY(f.constant("key_bits", 512));
    CW_TRY(f.constant("sector_size", kBlockSize));
    CW_TRY(f.constant("keyslot", 0));
    Encryption e;
    e.data_offset = CW_TRY(f.number("data_offset", kBlockSize, uint64_t{1} << 30));
    if (e.data_offset % kBlockSize != 0)
        return bad(f.name("data_offset"), "not a multiple of 4096");
    e.payload_size = CW_TRY(f.number("payload_size", kBlockSize, UINT64_MAX / 2));
    e.uuid = CW_TRY(f.string("uuid", 64));
    return e;
}

Result<Rootfs> parse_rootfs(const Fields& f) {
    CW_TRY(f.exactly({"file", "format", "size", "sha256", "squashfs_size", "verity"}, {"encryption"}));
    Rootfs r;
    r.file = CW_TRY(f.string("file", 255));
    if (r.file.empty() || r.file == "." || r.file == ".." || r.file.find('/') != std::string::npos ||
        r.file.find('\0') != std::string::npos)
        return bad(f.name("file"), "must be a plain file name beside workload.json");
    std::string format = CW_TRY(f.string("format"));
    r.size = CW_TRY(f.number("size", kBlockSize, UINT64_MAX / 2));
    r.sha256 = CW_TRY(f.string("sha256", 64));
    auto digest = from_hex(r.sha256);
    if (!digest || digest->size() != 32 || to_hex_lower(*digest) != r.sha256)
        return bad(f.name("sha256"), "expected 64 lowercase hex digits");
    Fields verity = CW_TRY(f.object("verity"));
    r.verity = CW_TRY(parse_verity(verity));
    r.squashfs_size = CW_TRY(f.number("squashfs_size", 1, r.verity.hash_offset));
    uint64_t plaintext = r.verity.hash_offset + r.verity.hash_size;
    if (format == "luks2") {
        if (!f.has("encryption"))
            return bad(f.name("encryption"), "missing (required by format luks2)");
        Fields encryption = CW_TRY(f.object("encryption"));
        r.encryption = CW_TRY(parse_encryption(encryption));
        if (r.encryption->payload_size < plaintext || r.size != r.encryption->data_offset + r.encryption->payload_size)
            return bad(f.name("encryption.payload_size"), "does not hold the verity data and tree, or the file size "
                                                          "is not data_offset + payload_size");
    } else if (format == "squashfs+verity") {
        if (f.has("encryption"))
            return bad(f.name("encryption"), "not allowed with format squashfs+verity");
        if (r.size < plaintext)
            return bad(f.name("size"), "smaller than the verity data and tree");
    } else {
        return bad(f.name("format"), "expected luks2 or squashfs+verity");
    }
    return r;
}

}  // namespace

const char* tee_name(Tee tee) {
    switch (tee) {
    case Tee::None: return "none";
    case Tee::Sim: return "sim";
    case Tee::Snp: return "snp";
    case Tee::Tdx: return "tdx";
    }
    return "?";
}

namespace {

Result<WorkloadConfig> parse_config(std::string_view text) {
    if (text.size() > kMaxConfigBytes)
        return Error::msg("workload.json: " + std::to_string(text.size()) + " bytes, more than the limit of " +
                          std::to_string(kMaxConfigBytes));
    // Strict JSON: duplicate keys refused (nlohmann alone keeps the last one), nesting bounded.
    Json doc = CW_TRY(attest::protocol::detail::parse_object("workload.json", text, 3));
    Fields top("", doc);
    CW_TRY(top.exactly({"version", "workload_id", "tee", "cpus", "ram_mib", "entrypoint", "cmd", "env", "working_dir",
                        "user", "rootfs"},
                       {"attestation_url", "attestation_ca"}));
    CW_TRY(top.constant("version", kFormatVersion));
    WorkloadConfig c;
    c.workload_id = CW_TRY(top.string("workload_id", 128));
    if (!attest::protocol::valid_workload_id(c.workload_id))
        return bad("workload_id", "1-128 of [a-z0-9._-], starting with a letter or digit");
    std::string tee = CW_TRY(top.string("tee"));
    c.tee = CW_TRY(parse_tee(tee));
    c.cpus = static_cast<uint32_t>(CW_TRY(top.number("cpus", 1, kMaxCpus)));
    c.ram_mib = static_cast<uint32_t>(CW_TRY(top.number("ram_mib", kMinRamMib, 1 << 20)));
    c.entrypoint = CW_TRY(top.strings("entrypoint"));
    c.cmd = CW_TRY(top.strings("cmd"));
    c.env = CW_TRY(top.strings("env"));
    c.working_dir = CW_TRY(top.string("working_dir"));
    c.user = CW_TRY(top.string("user", 256));
    Fields rootfs = CW_TRY(top.object("rootfs"));
    c.rootfs = CW_TRY(parse_rootfs(rootfs));
    if ((c.tee == Tee::None) != !c.rootfs.encryption)
        return bad("rootfs.format", c.tee == Tee::None ? "a --tee none workload has an unencrypted disk"
                                                       : "a TEE workload's disk is LUKS2");
    bool has_url = top.has("attestation_url"), has_ca = top.has("attestation_ca");
    if (has_url != has_ca)
        return bad(has_url ? "attestation_ca" : "attestation_url", "attestation_url and attestation_ca go together");
    if (has_url) {
        Attestation a;
        std::string url = CW_TRY(top.string("attestation_url", 1024));
        auto server = parse_server_url(url);
        if (!server)
            return bad("attestation_url", server.error().message());
        a.server = std::move(*server);
        a.ca_pem = CW_TRY(top.string("attestation_ca", kMaxCaBytes));
        if (a.ca_pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos)
            return bad("attestation_ca", "no PEM certificate in it");
        c.attestation = std::move(a);
    }
    return c;
}

}  // namespace

Result<WorkloadConfig> parse_workload_config(std::string_view text, std::string_view what) {
    auto config = parse_config(text);
    if (config || what == kDefaultName)
        return config;
    // Every message starts with "workload.json": name the file the caller read instead.
    std::string message = config.error().message();
    if (message.rfind(kDefaultName, 0) == 0)
        message = std::string(what) + message.substr(std::string_view(kDefaultName).size());
    return Error::msg(message);
}

}  // namespace cw::workload
