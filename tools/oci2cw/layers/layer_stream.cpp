#include "layers/layer_stream.h"

#include <archive.h>
#include <archive_entry.h>

#include <limits>

namespace cw::oci {

namespace {

constexpr size_t kBufSize = 1 << 16;

std::string shortened(const Digest& d) { return "sha256:" + d.short_hex(); }

}  // namespace

LayerStream::LayerStream(std::unique_ptr<ByteSource> source, LayerExpectation expect, const Limits& limits,
                         uint64_t& budget)
    : m_source(std::move(source)), m_expect(std::move(expect)), m_limits(limits), m_budget(budget),
      m_in_buf(new uint8_t[kBufSize]), m_mid_buf(new uint8_t[kBufSize]) {}

LayerStream::~LayerStream() {
    if (m_inner)
        archive_read_free(m_inner);
    if (m_outer)
        archive_read_free(m_outer);
}

Error LayerStream::archive_failure(archive* a, const char* step) {
    if (m_callback_error)
        return *std::exchange(m_callback_error, std::nullopt);
    const char* msg = archive_error_string(a);
    return Error::msg(std::string(step) + ": " + (msg ? msg : "unknown libarchive error"));
}

// libarchive pulls the stored (compressed) bytes through here: they are hashed and counted.
ssize_t LayerStream::outer_read(archive*, void* opaque, const void** buf) {
    auto* self = static_cast<LayerStream*>(opaque);
    auto n = self->m_source->read({self->m_in_buf.get(), kBufSize});
    if (!n.ok()) {
        self->m_callback_error = std::move(n).error();
        return -1;
    }
    self->m_compressed_hash.update(self->m_in_buf.get(), *n);
    self->m_compressed_bytes += *n;
    if (self->m_expect.blob && self->m_compressed_bytes > self->m_expect.blob->size) {
        self->m_callback_error = Error::msg("blob is larger than its descriptor's " +
                                            std::to_string(self->m_expect.blob->size) + " bytes");
        return -1;
    }
    *buf = self->m_in_buf.get();
    return static_cast<ssize_t>(*n);
}

Result<size_t> LayerStream::pull_decompressed(std::span<uint8_t> buf) {
    if (m_outer_eof)
        return size_t{0};
    la_ssize_t n = archive_read_data(m_outer, buf.data(), buf.size());
    if (n < 0)
        return archive_failure(m_outer, "decompress");
    if (n == 0)
        m_outer_eof = true;
    auto len = static_cast<size_t>(n);
    if (len > m_budget)
        return Error::msg("layers exceed the uncompressed size limit of " + std::to_string(m_limits.max_total_bytes) +
                          " bytes");
    m_budget -= len;
    m_tar_hash.update(buf.data(), len);
    return len;
}

// The tar reader pulls decompressed bytes through here: they are hashed for the diff_id.
ssize_t LayerStream::inner_read(archive*, void* opaque, const void** buf) {
    auto* self = static_cast<LayerStream*>(opaque);
    auto n = self->pull_decompressed({self->m_mid_buf.get(), kBufSize});
    if (!n.ok()) {
        self->m_callback_error = std::move(n).error();
        return -1;
    }
    *buf = self->m_mid_buf.get();
    return static_cast<ssize_t>(*n);
}

Result<std::unique_ptr<LayerStream>> LayerStream::open(std::unique_ptr<ByteSource> source, LayerExpectation expect,
                                                       const Limits& limits, uint64_t& budget) {
    std::unique_ptr<LayerStream> s(new LayerStream(std::move(source), std::move(expect), limits, budget));
    s->m_outer = archive_read_new();
    s->m_inner = archive_read_new();
    if (!s->m_outer || !s->m_inner)
        return Error::msg("archive_read_new failed");
    archive_read_support_filter_gzip(s->m_outer);
    archive_read_support_filter_zstd(s->m_outer);
    archive_read_support_format_raw(s->m_outer);
    if (archive_read_open(s->m_outer, s.get(), nullptr, outer_read, nullptr) != ARCHIVE_OK)
        return s->archive_failure(s->m_outer, "open layer");
    archive_entry* raw = nullptr;
    if (archive_read_next_header(s->m_outer, &raw) != ARCHIVE_OK)
        return s->archive_failure(s->m_outer, "open layer");

    // archive_filter_count counts the "none" pass-through as one filter.
    int filters = archive_filter_count(s->m_outer);
    int code = archive_filter_code(s->m_outer, 0);
    Compression found = code == ARCHIVE_FILTER_GZIP ? Compression::gzip
                        : code == ARCHIVE_FILTER_ZSTD ? Compression::zstd
                                                      : Compression::none;
    if (filters > 2 || (found == Compression::none && code != ARCHIVE_FILTER_NONE))
        return Error::msg("layer compression is neither gzip nor zstd nor none");
    if (s->m_expect.compression && *s->m_expect.compression != found)
        return Error::msg("layer compression does not match its media type");

    archive_read_support_format_tar(s->m_inner);
    if (archive_read_open(s->m_inner, s.get(), nullptr, inner_read, nullptr) != ARCHIVE_OK)
        return s->archive_failure(s->m_inner, "read tar");
    return s;
}

Result<TarEntry> LayerStream::convert(archive_entry* e) {
    TarEntry t;
    const char* path = archive_entry_pathname(e);
    if (!path || !*path)
        return Error::msg("entry without a path");
    t.path = path;
    if (t.path.size() > m_limits.max_path)
        return Error::msg("path longer than " + std::to_string(m_limits.max_path) + " bytes");
    t.index = m_entry_index;

    auto where = [&](const std::string& what) { return Error::msg("entry \"" + t.path + "\": " + what); };
    la_int64_t size = archive_entry_size(e);
    if (size < 0)
        return where("negative size");
    t.size = static_cast<uint64_t>(size);
    if (archive_entry_sparse_count(e) > 0)
        return where("sparse files are not supported");

    if (const char* hl = archive_entry_hardlink(e)) {
        t.type = EntryType::hardlink;
        t.link = hl;
    } else {
        switch (archive_entry_filetype(e)) {
        case AE_IFREG: t.type = EntryType::regular; break;
        case AE_IFDIR: t.type = EntryType::directory; break;
        case AE_IFLNK: t.type = EntryType::symlink; break;
        case AE_IFCHR: t.type = EntryType::char_device; break;
        case AE_IFBLK: t.type = EntryType::block_device; break;
        case AE_IFIFO: t.type = EntryType::fifo; break;
        default: return where("unsupported entry type (socket or unknown)");
        }
        if (t.type == EntryType::symlink) {
            const char* target = archive_entry_symlink(e);
            if (!target || !*target)
                return where("symlink without a target");
            t.link = target;
        }
    }
    if (t.link.size() > m_limits.max_path)
        return where("link target longer than " + std::to_string(m_limits.max_path) + " bytes");
    if (t.type != EntryType::regular && t.size != 0)
        return where("non-regular entry with " + std::to_string(t.size) + " bytes of data");

    t.mode = static_cast<uint32_t>(archive_entry_perm(e)) & 07777;
    la_int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);
    if (uid < 0 || gid < 0 || uid > std::numeric_limits<uint32_t>::max() - 1 ||
        gid > std::numeric_limits<uint32_t>::max() - 1)
        return where("uid or gid out of range");
    t.uid = static_cast<uint32_t>(uid);
    t.gid = static_cast<uint32_t>(gid);
    t.mtime = archive_entry_mtime(e);
    if (t.type == EntryType::char_device || t.type == EntryType::block_device) {
        t.dev_major = static_cast<uint32_t>(archive_entry_rdevmajor(e));
        t.dev_minor = static_cast<uint32_t>(archive_entry_rdevminor(e));
    }

    int count = archive_entry_xattr_reset(e);
    if (count < 0 || static_cast<size_t>(count) > m_limits.max_xattrs_per_entry)
        return where("more than " + std::to_string(m_limits.max_xattrs_per_entry) + " xattrs");
    const char* name = nullptr;
    const void* value = nullptr;
    size_t value_size = 0;
    while (archive_entry_xattr_next(e, &name, &value, &value_size) == ARCHIVE_OK) {
        std::string key = name ? name : "";
        if (key.empty() || key.size() > m_limits.max_xattr_name)
            return where("xattr name empty or longer than " + std::to_string(m_limits.max_xattr_name) + " bytes");
        if (value_size > m_limits.max_xattr_value)
            return where("xattr \"" + key + "\" larger than " + std::to_string(m_limits.max_xattr_value) + " bytes");
        std::string v(static_cast<const char*>(value), value_size);
        if (!t.xattrs.emplace(std::move(key), std::move(v)).second)
            return where("xattr given twice");
    }
    return t;
}

Result<std::optional<TarEntry>> LayerStream::next() {
    archive_entry* e = nullptr;
    int r = archive_read_next_header(m_inner, &e);
    if (r == ARCHIVE_EOF)
        return std::optional<TarEntry>();
    // ARCHIVE_WARN is a header libarchive could read (e.g. a charset it could not convert).
    if (r < ARCHIVE_WARN)
        return archive_failure(m_inner, "read tar");
    TarEntry t = CW_TRY(convert(e));
    ++m_entry_index;
    return std::optional<TarEntry>(std::move(t));
}

Result<size_t> LayerStream::read_data(std::span<uint8_t> buf) {
    la_ssize_t n = archive_read_data(m_inner, buf.data(), buf.size());
    if (n < 0)
        return archive_failure(m_inner, "read tar");
    return static_cast<size_t>(n);
}

Result<void> LayerStream::skip_data(const TarEntry& entry, uint64_t already_read) {
    uint64_t total = already_read;
    std::unique_ptr<uint8_t[]> buf(new uint8_t[kBufSize]);
    for (;;) {
        size_t n = CW_TRY(read_data({buf.get(), kBufSize}).context("entry \"" + entry.path + "\""));
        if (n == 0)
            break;
        total += n;
    }
    if (total != entry.size)
        return Error::msg("entry \"" + entry.path + "\": content is " + std::to_string(total) +
                          " bytes, its header says " + std::to_string(entry.size));
    return {};
}

Result<void> LayerStream::verify_only() {
    std::unique_ptr<uint8_t[]> buf(new uint8_t[kBufSize]);
    for (;;) {
        auto n = pull_decompressed({buf.get(), kBufSize});
        if (n.ok() && *n != 0)
            continue;
        if (n.ok())
            return finish();
        // Undecodable: only the stored bytes' digest can still be checked.
        for (;;) {
            size_t raw = CW_TRY(m_source->read({buf.get(), kBufSize}));
            if (raw == 0)
                break;
            m_compressed_hash.update(buf.get(), raw);
            m_compressed_bytes += raw;
        }
        if (m_expect.blob && m_compressed_hash.finish() != m_expect.blob->digest)
            return Error::msg("blob digest mismatch (stored bytes do not hash to " + shortened(m_expect.blob->digest) +
                              ")");
        return std::move(n).error();
    }
}

Result<void> LayerStream::finish() {
    // The tar reader stops at the end-of-archive blocks: hash whatever follows too.
    std::unique_ptr<uint8_t[]> buf(new uint8_t[kBufSize]);
    while (CW_TRY(pull_decompressed({buf.get(), kBufSize})) != 0) {
    }
    // Likewise any stored bytes the decompressor did not need.
    for (;;) {
        size_t n = CW_TRY(m_source->read({buf.get(), kBufSize}));
        if (n == 0)
            break;
        m_compressed_hash.update(buf.get(), n);
        m_compressed_bytes += n;
    }
    Digest stored = m_compressed_hash.finish();
    Digest tar = m_tar_hash.finish();
    if (m_expect.blob) {
        if (m_compressed_bytes != m_expect.blob->size)
            return Error::msg("blob is " + std::to_string(m_compressed_bytes) + " bytes, its descriptor says " +
                              std::to_string(m_expect.blob->size));
        if (stored != m_expect.blob->digest)
            return Error::msg("blob digest mismatch: content is " + shortened(stored) + ", descriptor says " +
                              shortened(m_expect.blob->digest));
    }
    if (m_expect.diff_id && tar != *m_expect.diff_id)
        return Error::msg("uncompressed digest mismatch: tar is " + shortened(tar) + ", diff_id says " +
                          shortened(*m_expect.diff_id));
    return {};
}

}  // namespace cw::oci
