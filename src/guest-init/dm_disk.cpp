#include "guest-init/dm_disk.h"

#include <libcryptsetup.h>

#include <cstring>
#include <memory>

namespace cw::guest {

namespace {

constexpr uint32_t kBlockSize = 4096;

// libcryptsetup logs through a callback; the last error line goes into our error message.
std::string& last_log() {
    static std::string line;
    return line;
}

void log_callback(int level, const char* msg, void*) {
    if (level == CRYPT_LOG_ERROR && msg != nullptr) {
        last_log() = msg;
        while (!last_log().empty() && last_log().back() == '\n')
            last_log().pop_back();
    }
}

struct CryptDeleter {
    void operator()(crypt_device* cd) const { crypt_free(cd); }
};
using CryptPtr = std::unique_ptr<crypt_device, CryptDeleter>;

Error crypt_error(const std::string& step, int r) {
    std::string detail = last_log().empty() ? "" : " (" + last_log() + ")";
    last_log().clear();
    return Error::sys(step + detail, -r);
}

}  // namespace

Result<std::string> open_luks2(const std::string& device, const DiskSecret& secret) {
    crypt_set_log_callback(nullptr, log_callback, nullptr);
    crypt_device* raw = nullptr;
    int r = crypt_init(&raw, device.c_str());
    if (r < 0)
        return crypt_error("crypt_init " + device, r);
    CryptPtr cd(raw);
    r = crypt_load(cd.get(), CRYPT_LUKS2, nullptr);
    if (r < 0)
        return crypt_error("loading the LUKS2 header of " + device, r);
    auto key = secret.bytes();
    r = crypt_activate_by_passphrase(cd.get(), kCryptName, 0, reinterpret_cast<const char*>(key.data()), key.size(),
                                     CRYPT_ACTIVATE_READONLY);
    if (r == -EPERM)
        return Error::msg("the released secret does not open keyslot 0 of " + device + " (a disk of another workload?)");
    if (r < 0)
        return crypt_error("activating LUKS2 keyslot 0", r);
    return std::string("/dev/mapper/") + kCryptName;
}

Result<std::string> open_verity(const std::string& device, const VerityPlan& verity) {
    crypt_set_log_callback(nullptr, log_callback, nullptr);
    if (verity.data_blocks == 0 || verity.hash_offset % kBlockSize != 0 ||
        verity.hash_offset < verity.data_blocks * kBlockSize)
        return Error::msg("verity parameters: " + std::to_string(verity.data_blocks) + " data blocks, hash offset " +
                          std::to_string(verity.hash_offset));
    crypt_device* raw = nullptr;
    int r = crypt_init_data_device(&raw, device.c_str(), device.c_str());
    if (r < 0)
        return crypt_error("crypt_init_data_device " + device, r);
    CryptPtr cd(raw);
    crypt_params_verity params{};
    params.hash_name = "sha256";
    params.data_device = device.c_str();
    params.hash_device = device.c_str();
    params.salt = reinterpret_cast<const char*>(verity.salt.data());
    params.salt_size = static_cast<uint32_t>(verity.salt.size());
    params.hash_type = 1;
    params.data_block_size = kBlockSize;
    params.hash_block_size = kBlockSize;
    params.data_size = verity.data_blocks;
    params.hash_area_offset = verity.hash_offset;
    params.flags = CRYPT_VERITY_NO_HEADER;  // every parameter is from the measured plan
    // Without a superblock there is nothing to load: crypt_load refuses NO_HEADER with EINVAL.
    // crypt_format with NO_HEADER only sets the parameters in memory and writes nothing, as
    // `veritysetup open --no-superblock` does.
    r = crypt_format(cd.get(), CRYPT_VERITY, nullptr, nullptr, nullptr, nullptr, 0, &params);
    if (r < 0)
        return crypt_error("dm-verity parameters for " + device, r);
    r = crypt_activate_by_volume_key(cd.get(), kVerityName, reinterpret_cast<const char*>(verity.root_hash.data()),
                                     verity.root_hash.size(), CRYPT_ACTIVATE_READONLY);
    if (r == -EPERM)
        return Error::msg("dm-verity: the root hash does not match the disk");
    if (r < 0)
        return crypt_error("activating dm-verity", r);
    return std::string("/dev/mapper/") + kVerityName;
}

}  // namespace cw::guest
