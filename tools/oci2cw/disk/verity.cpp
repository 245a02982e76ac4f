#include "verity.h"

#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "file_io.h"

namespace cw::disk {

namespace {

constexpr uint32_t kDigestsPerBlock = kVerityBlockSize / kVerityDigestSize;  // 128
constexpr uint32_t kDigestsPerBlockBits = 7;
static_assert(kDigestsPerBlock == 1u << kDigestsPerBlockBits);
constexpr size_t kReadChunk = 4 << 20;

// Tree levels as dm-verity's verity_ctr() counts them: the smallest L with
// data_blocks <= 128^L (0 for a single block).
uint32_t level_count(uint64_t data_blocks) {
    uint32_t levels = 0;
    while (kDigestsPerBlockBits * levels < 64 && ((data_blocks - 1) >> (kDigestsPerBlockBits * levels)) != 0)
        levels++;
    return levels;
}

// Hash blocks at level i (0 hashes the data blocks): ceil(data_blocks / 128^(i+1)).
uint64_t level_blocks(uint64_t data_blocks, uint32_t level) {
    uint32_t shift = (level + 1) * kDigestsPerBlockBits;
    if (shift >= 64)
        return 1;
    return (data_blocks + (uint64_t{1} << shift) - 1) >> shift;
}

// SHA-256(salt || block), the version-1 digest.
class SaltedSha256 {
public:
    explicit SaltedSha256(std::span<const uint8_t, kVeritySaltSize> salt)
        : m_md(EVP_MD_fetch(nullptr, "SHA256", nullptr)), m_ctx(EVP_MD_CTX_new()), m_salt(salt) {}

    [[nodiscard]] bool ok() const { return m_md && m_ctx; }

    [[nodiscard]] bool digest(const uint8_t* block, uint8_t* out) {
        unsigned int len = 0;
        return EVP_DigestInit_ex(m_ctx.get(), m_md.get(), nullptr) == 1 &&
               EVP_DigestUpdate(m_ctx.get(), m_salt.data(), m_salt.size()) == 1 &&
               EVP_DigestUpdate(m_ctx.get(), block, kVerityBlockSize) == 1 &&
               EVP_DigestFinal_ex(m_ctx.get(), out, &len) == 1 && len == kVerityDigestSize;
    }

private:
    struct MdFree {
        void operator()(EVP_MD* md) const { EVP_MD_free(md); }
    };
    struct CtxFree {
        void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
    };
    std::unique_ptr<EVP_MD, MdFree> m_md;
    std::unique_ptr<EVP_MD_CTX, CtxFree> m_ctx;
    std::span<const uint8_t, kVeritySaltSize> m_salt;
};

// One partly filled hash block per level; a full block is written at its place in the
// tree and its digest pushed one level up (or becomes the root at the top).
class TreeBuilder {
public:
    TreeBuilder(int fd, uint64_t data_blocks, std::span<const uint8_t, kVeritySaltSize> salt)
        : m_fd(fd), m_hash(salt), m_levels(level_count(data_blocks)) {
        // Top level first in the file, as dm-verity expects.
        uint64_t position = data_blocks * kVerityBlockSize;
        for (size_t i = m_levels.size(); i-- > 0;) {
            m_levels[i].start = position;
            m_levels[i].blocks = level_blocks(data_blocks, static_cast<uint32_t>(i));
            position += m_levels[i].blocks * kVerityBlockSize;
        }
    }

    [[nodiscard]] bool hasher_ok() const { return m_hash.ok(); }

    Result<void> add_data_block(const uint8_t* block) {
        uint8_t digest[kVerityDigestSize];
        if (!m_hash.digest(block, digest))
            return Error::msg("SHA-256 failed");
        if (m_levels.empty()) {  // a single data block: its digest is the root
            std::copy(digest, digest + kVerityDigestSize, m_root.begin());
            return {};
        }
        return push(0, digest);
    }

    // Pads and writes the partial block of every level, bottom up.
    Result<std::array<uint8_t, kVerityDigestSize>> finish() {
        for (size_t i = 0; i < m_levels.size(); ++i)
            if (m_levels[i].filled != 0)
                CW_TRY(emit(i));
        for (const Level& l : m_levels)
            if (l.written != l.blocks)
                return Error::msg("internal error: verity level has " + std::to_string(l.written) + " of " +
                                  std::to_string(l.blocks) + " blocks");
        return m_root;
    }

private:
    struct Level {
        uint64_t start = 0;
        uint64_t blocks = 0;
        uint64_t written = 0;
        uint32_t filled = 0;
        std::array<uint8_t, kVerityBlockSize> block{};
    };

    Result<void> push(size_t level, const uint8_t* digest) {
        Level& l = m_levels[level];
        std::copy(digest, digest + kVerityDigestSize, l.block.begin() + l.filled * kVerityDigestSize);
        if (++l.filled == kDigestsPerBlock)
            return emit(level);
        return {};
    }

    Result<void> emit(size_t level) {
        Level& l = m_levels[level];
        if (l.written >= l.blocks)
            return Error::msg("internal error: verity level overflows");
        CW_TRY(pwrite_all(m_fd, l.block.data(), l.block.size(), l.start + l.written * kVerityBlockSize));
        l.written++;
        uint8_t digest[kVerityDigestSize];
        if (!m_hash.digest(l.block.data(), digest))
            return Error::msg("SHA-256 failed");
        l.block.fill(0);
        l.filled = 0;
        if (level + 1 < m_levels.size())
            return push(level + 1, digest);
        std::copy(digest, digest + kVerityDigestSize, m_root.begin());
        return {};
    }

    int m_fd;
    SaltedSha256 m_hash;
    std::vector<Level> m_levels;
    std::array<uint8_t, kVerityDigestSize> m_root{};
};

}  // namespace

uint64_t verity_tree_size(uint64_t data_blocks) {
    if (data_blocks == 0)
        return 0;
    uint64_t total = 0;
    uint32_t levels = level_count(data_blocks);
    for (uint32_t i = 0; i < levels; ++i)
        total += level_blocks(data_blocks, i);
    return total * kVerityBlockSize;
}

Result<VerityInfo> append_verity_tree(int fd, uint64_t data_size, std::span<const uint8_t, kVeritySaltSize> salt) {
    if (data_size == 0)
        return Error::msg("dm-verity: no data to hash");
    VerityInfo info;
    info.data_blocks = (data_size + kVerityBlockSize - 1) / kVerityBlockSize;
    info.hash_offset = info.data_blocks * kVerityBlockSize;
    info.hash_size = verity_tree_size(info.data_blocks);
    std::copy(salt.begin(), salt.end(), info.salt.begin());

    // Zero the tail of the last block: bytes past data_size may be stale.
    if (uint64_t pad = info.hash_offset - data_size; pad != 0) {
        std::array<uint8_t, kVerityBlockSize> zeros{};
        CW_TRY(pwrite_all(fd, zeros.data(), pad, data_size).context("dm-verity: padding the data"));
    }

    TreeBuilder tree(fd, info.data_blocks, info.salt);
    if (!tree.hasher_ok())
        return Error::msg("dm-verity: OpenSSL has no SHA-256");
    std::vector<uint8_t> buf(kReadChunk);
    for (uint64_t offset = 0; offset < info.hash_offset;) {
        size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), info.hash_offset - offset));
        CW_TRY(pread_exact(fd, buf.data(), want, offset).context("dm-verity: reading the data"));
        for (size_t b = 0; b < want; b += kVerityBlockSize)
            CW_TRY(tree.add_data_block(buf.data() + b).context("dm-verity"));
        offset += want;
    }
    info.root_hash = CW_TRY(tree.finish().context("dm-verity: writing the hash tree"));
    if (::ftruncate(fd, static_cast<off_t>(info.hash_offset + info.hash_size)) != 0)
        return Error::sys("dm-verity: truncating after the hash tree");
    return info;
}

}  // namespace cw::disk
