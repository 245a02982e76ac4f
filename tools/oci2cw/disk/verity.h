// dm-verity hash tree (format version 1, the one `veritysetup format` writes and the
// kernel's dm-verity reads): SHA-256, 4096-byte data and hash blocks, no superblock.
// Every parameter the kernel needs comes from the workload configuration (VerityInfo),
// so nothing on the disk describes itself: there is no unauthenticated superblock to
// parse or to disagree with the configuration.
//
// Layout in the file: data blocks [0, data_blocks), then the tree at hash_offset =
// data_blocks * 4096, its levels stored top (the single block under the root) first and
// the level hashing the data blocks last, as dm-verity's verity_ctr() computes them.
// A digest is SHA-256(salt || block); a hash block holds 128 digests, zero-padded.
// One data block needs no tree at all: the root is that block's digest.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "base/result.h"

namespace cw::disk {

constexpr uint32_t kVerityBlockSize = 4096;
constexpr size_t kVerityDigestSize = 32;
constexpr size_t kVeritySaltSize = 32;

struct VerityInfo {
    uint64_t data_blocks = 0;  // 4096-byte blocks covered, from offset 0
    uint64_t hash_offset = 0;  // bytes; == data_blocks * 4096
    uint64_t hash_size = 0;    // bytes of tree after hash_offset (0 for a single block)
    std::array<uint8_t, kVeritySaltSize> salt{};
    std::array<uint8_t, kVerityDigestSize> root_hash{};
};

// Bytes of tree for `data_blocks` blocks.
[[nodiscard]] uint64_t verity_tree_size(uint64_t data_blocks);

// Pads the file to a multiple of 4096 with zeros (if data_size is not one), hashes
// [0, padded size) and writes the tree right after it, streaming: the memory used is
// one read buffer plus one hash block per level, whatever the image size.
// The file must hold at least data_size bytes; anything past them is overwritten.
[[nodiscard]] Result<VerityInfo> append_verity_tree(int fd, uint64_t data_size,
                                                    std::span<const uint8_t, kVeritySaltSize> salt);

}  // namespace cw::disk
