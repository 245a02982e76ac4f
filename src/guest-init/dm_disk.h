// The workload disk through libcryptsetup (docs/disk-format.md "In the guest"):
//   LUKS2 (sim/snp/tdx): crypt_load(CRYPT_LUKS2), unlock keyslot 0 with the raw 32-byte
//     secret, read-only -> /dev/mapper/cw-crypt; then dm-verity over that device.
//   plain (--tee none): dm-verity directly over the disk.
// dm-verity: format 1, no superblock, sha256, 4096/4096, data and hashes on one device,
// hashes at hash_offset; activated with the root hash from the measured plan, read-only.
//
// Trust: the disk is host-provided. The LUKS2 header is parsed by libcryptsetup; every
// block of the filesystem is then checked by dm-verity against the measured root hash, so
// a host that swaps or edits blocks gets I/O errors, not different files.
#pragma once

#include <string>

#include "base/result.h"
#include "guest-init/guest_plan.h"
#include "guest-init/secret_key.h"

namespace cw::guest {

inline constexpr const char* kCryptName = "cw-crypt";
inline constexpr const char* kVerityName = "cw-root";

// Opens the LUKS2 volume read-only; returns the plaintext device path.
Result<std::string> open_luks2(const std::string& device, const DiskSecret& secret);

// Opens dm-verity over `device` with the plan's parameters; returns the verified device path.
Result<std::string> open_verity(const std::string& device, const VerityPlan& verity);

}  // namespace cw::guest
