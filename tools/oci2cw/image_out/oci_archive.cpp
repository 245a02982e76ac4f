#include "image_out/oci_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "base/regular_file.h"
#include "base/unique_fd.h"
#include "image/oci_json.h"

namespace cw::oci {

namespace {

constexpr size_t kCopyChunk = size_t{1} << 20;
constexpr const char* kLayerTar = "application/vnd.oci.image.layer.v1.tar";
constexpr const char* kLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
constexpr const char* kRefNameAnnotation = "org.opencontainers.image.ref.name";

struct ArchiveWriteFree {
    void operator()(archive* a) const { archive_write_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveWriteFree>;
struct EntryFree {
    void operator()(archive_entry* e) const { archive_entry_free(e); }
};

Error archive_error(archive* a, const std::string& what) {
    const char* s = archive_error_string(a);
    return Error::msg(what + ": " + (s ? s : "libarchive failed"));
}

Result<void> write_all(int fd, const void* data, size_t size) {
    const auto* p = static_cast<const uint8_t*>(data);
    while (size > 0) {
        ssize_t n = ::write(fd, p, size);
        if (n < 0)
            return Error::sys("write");
        p += n;
        size -= static_cast<size_t>(n);
    }
    return {};
}

// The end of a chain: hashes the bytes and writes them to a file.
struct FileSink {
    int fd = -1;
    Sha256 hash;
    uint64_t size = 0;
    std::optional<Error> error;

    la_ssize_t take(const void* buf, size_t n) {
        hash.update(buf, n);
        size += n;
        if (auto r = write_all(fd, buf, n); !r.ok()) {
            error = std::move(r).error();
            return -1;
        }
        return static_cast<la_ssize_t>(n);
    }
    static la_ssize_t callback(archive*, void* self, const void* buf, size_t n) {
        return static_cast<FileSink*>(self)->take(buf, n);
    }
};

// The layer's tar on its way out: hashed (the diff_id), then compressed or written as is.
struct TarSink {
    Sha256 hash;
    archive* gzip = nullptr;  // a raw-format gzip writer, or null for an uncompressed layer
    FileSink* file = nullptr;
    std::optional<Error> error;

    static la_ssize_t callback(archive*, void* ctx, const void* buf, size_t n) {
        auto* self = static_cast<TarSink*>(ctx);
        self->hash.update(buf, n);
        if (!self->gzip)
            return self->file->take(buf, n);
        if (archive_write_data(self->gzip, buf, n) != static_cast<la_ssize_t>(n)) {
            self->error = archive_error(self->gzip, "gzip");
            return -1;
        }
        return static_cast<la_ssize_t>(n);
    }
};

// A tar writer with nothing host-specific in its output: pax only where ustar cannot say
// it (files over 8 GiB), blocks padded the standard way.
Result<ArchivePtr> new_tar_writer() {
    ArchivePtr a(archive_write_new());
    if (!a || archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK ||
        archive_write_add_filter_none(a.get()) != ARCHIVE_OK)
        return Error::msg("libarchive: cannot set up a tar writer");
    return a;
}

Result<void> put_header(archive* a, const std::string& path, unsigned type, uint32_t mode, uint64_t size) {
    std::unique_ptr<archive_entry, EntryFree> e(archive_entry_new());
    archive_entry_set_pathname(e.get(), path.c_str());
    archive_entry_set_filetype(e.get(), type);
    archive_entry_set_perm(e.get(), static_cast<__LA_MODE_T>(mode));
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(size));
    archive_entry_set_mtime(e.get(), 0, 0);
    archive_entry_set_uid(e.get(), 0);
    archive_entry_set_gid(e.get(), 0);
    if (archive_write_header(a, e.get()) != ARCHIVE_OK)
        return archive_error(a, "tar header for " + path);
    return {};
}

Result<void> put_data(archive* a, const void* data, size_t size, const std::string& path) {
    if (size > 0 && archive_write_data(a, data, size) != static_cast<la_ssize_t>(size))
        return archive_error(a, "writing " + path);
    return {};
}

Result<void> put_bytes(archive* a, const std::string& path, uint32_t mode, std::span<const uint8_t> bytes) {
    CW_TRY(put_header(a, path, AE_IFREG, mode, bytes.size()));
    return put_data(a, bytes.data(), bytes.size(), path);
}

// Copies exactly `size` bytes of `fd` into the current entry; a file that changes size
// meanwhile is an error rather than a malformed archive.
Result<void> put_fd(archive* a, int fd, uint64_t size, const std::string& path, const std::function<void(size_t)>& step) {
    std::vector<uint8_t> buf(kCopyChunk);
    while (size > 0) {
        ssize_t n = ::read(fd, buf.data(), static_cast<size_t>(std::min<uint64_t>(size, buf.size())));
        if (n < 0)
            return Error::sys("read " + path);
        if (n == 0)
            return Error::msg(path + ": shorter than when it was opened");
        CW_TRY(put_data(a, buf.data(), static_cast<size_t>(n), path));
        size -= static_cast<uint64_t>(n);
        if (step)
            step(static_cast<size_t>(n));
    }
    return {};
}

// Removes a path on scope exit unless kept.
class Cleanup {
public:
    explicit Cleanup(std::string path) : m_path(std::move(path)) {}
    Cleanup(const Cleanup&) = delete;
    Cleanup& operator=(const Cleanup&) = delete;
    ~Cleanup() {
        if (!m_path.empty())
            ::unlink(m_path.c_str());
    }
    void keep() { m_path.clear(); }

private:
    std::string m_path;
};

struct LayerBlob {
    Digest digest;
    Digest diff_id;
    uint64_t size = 0;
};

Result<LayerBlob> write_layer(const ImageSpec& spec, int out, const std::function<void(size_t)>& step) {
    FileSink file;
    file.fd = out;
    TarSink tar_sink;
    tar_sink.file = &file;
    ArchivePtr gz;
    if (spec.gzip) {
        gz.reset(archive_write_new());
        // A raw-format writer compresses one stream; no timestamp in the gzip header, and
        // no padding after it.
        if (!gz || archive_write_set_format_raw(gz.get()) != ARCHIVE_OK ||
            archive_write_add_filter_gzip(gz.get()) != ARCHIVE_OK ||
            archive_write_set_filter_option(gz.get(), "gzip", "timestamp", nullptr) != ARCHIVE_OK ||
            archive_write_set_bytes_in_last_block(gz.get(), 1) != ARCHIVE_OK)
            return Error::msg("libarchive: cannot set up a gzip writer");
        if (archive_write_open2(gz.get(), &file, nullptr, FileSink::callback, nullptr, nullptr) != ARCHIVE_OK)
            return archive_error(gz.get(), "gzip");
        CW_TRY(put_header(gz.get(), "layer.tar", AE_IFREG, 0644, 0));
        tar_sink.gzip = gz.get();
    }
    ArchivePtr tar = CW_TRY(new_tar_writer());
    if (archive_write_open2(tar.get(), &tar_sink, nullptr, TarSink::callback, nullptr, nullptr) != ARCHIVE_OK)
        return archive_error(tar.get(), "layer tar");

    std::vector<const LayerFile*> files;
    for (const auto& f : spec.files)
        files.push_back(&f);
    std::sort(files.begin(), files.end(), [](const LayerFile* a, const LayerFile* b) { return a->name < b->name; });
    auto failed = [&](Result<void> r) -> Error {
        if (file.error)
            return *file.error;
        if (tar_sink.error)
            return *tar_sink.error;
        return std::move(r).error();
    };
    for (const LayerFile* f : files) {
        Result<void> r;
        if (!f->host_path.empty()) {
            auto opened = open_regular_file(f->host_path);
            if (!opened.ok())
                return std::move(opened).error();
            r = put_header(tar.get(), f->name, AE_IFREG, f->mode, opened->size);
            if (r.ok())
                r = put_fd(tar.get(), opened->fd.get(), opened->size, f->host_path, step);
        } else {
            r = put_bytes(tar.get(), f->name, f->mode, f->bytes);
        }
        if (!r.ok())
            return failed(std::move(r)).context("layer entry " + f->name);
    }
    if (archive_write_close(tar.get()) != ARCHIVE_OK)
        return failed(archive_error(tar.get(), "closing the layer tar")).context("layer");
    if (gz && archive_write_close(gz.get()) != ARCHIVE_OK)
        return failed(archive_error(gz.get(), "closing the gzip stream")).context("layer");
    if (file.error)
        return *file.error;
    return LayerBlob{file.hash.finish(), tar_sink.hash.finish(), file.size};
}

std::string digest_of(const std::string& text) {
    Sha256 h;
    h.update(text.data(), text.size());
    return h.finish().hex;
}

std::span<const uint8_t> as_bytes(const std::string& s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

Result<WrittenImage> write_oci_archive(const ImageSpec& spec, const std::string& path, const WriteProgress& progress) {
    using nlohmann::json;
    uint64_t files_total = 0;
    for (const auto& f : spec.files) {
        if (f.host_path.empty()) {
            files_total += f.bytes.size();
        } else {
            struct stat st {};
            if (::stat(f.host_path.c_str(), &st) != 0)
                return Error::sys("stat " + f.host_path);
            files_total += static_cast<uint64_t>(st.st_size);
        }
    }
    // Progress over both passes (building the layer, then copying it into the archive).
    uint64_t done = 0;
    auto step = [&](size_t n) {
        done += n;
        if (progress)
            progress(done, 2 * files_total);
    };

    std::string layer_path = path + ".layer.partial";
    Cleanup remove_layer(layer_path);
    UniqueFd layer_fd(::open(layer_path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!layer_fd.valid())
        return Error::sys("create " + layer_path);
    LayerBlob layer = CW_TRY(write_layer(spec, layer_fd.get(), step));

    WrittenImage out;
    out.layer = layer.digest;
    out.diff_id = layer.diff_id;
    out.layer_size = layer.size;

    json labels = json::object();
    for (const auto& [k, v] : spec.labels)
        labels[k] = v;
    json config = {
        {"architecture", "amd64"},
        {"os", "linux"},
        {"config", {{"Entrypoint", spec.entrypoint}, {"Labels", labels}}},
        {"rootfs", {{"type", "layers"}, {"diff_ids", {layer.diff_id.str()}}}},
    };
    std::string config_text = config.dump();
    out.config = Digest{digest_of(config_text)};
    json manifest = {
        {"schemaVersion", 2},
        {"mediaType", media_type::kManifest},
        {"config", {{"mediaType", media_type::kConfig}, {"digest", out.config.str()}, {"size", config_text.size()}}},
        {"layers", {{{"mediaType", spec.gzip ? kLayerGzip : kLayerTar}, {"digest", layer.digest.str()},
                     {"size", layer.size}}}},
        {"annotations", labels},
    };
    std::string manifest_text = manifest.dump();
    out.manifest = Digest{digest_of(manifest_text)};
    json index = {
        {"schemaVersion", 2},
        {"mediaType", media_type::kIndex},
        {"manifests", {{{"mediaType", media_type::kManifest}, {"digest", out.manifest.str()},
                        {"size", manifest_text.size()},
                        {"platform", {{"architecture", "amd64"}, {"os", "linux"}}},
                        {"annotations", {{kRefNameAnnotation, spec.ref_name}}}}}},
    };
    std::string index_text = index.dump();
    std::string layout_text = R"({"imageLayoutVersion":"1.0.0"})";

    std::string partial = path + ".partial";
    Cleanup remove_partial(partial);
    UniqueFd fd(::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd.valid())
        return Error::sys("create " + partial);
    FileSink sink;
    sink.fd = fd.get();
    ArchivePtr tar = CW_TRY(new_tar_writer());
    if (archive_write_open2(tar.get(), &sink, nullptr, FileSink::callback, nullptr, nullptr) != ARCHIVE_OK)
        return archive_error(tar.get(), partial);

    // The blobs in byte order of their digests, then index.json and oci-layout.
    struct Blob {
        std::string hex;
        const std::string* text;  // null: the layer file
    };
    std::vector<Blob> blobs = {{out.config.hex, &config_text}, {out.manifest.hex, &manifest_text},
                               {layer.digest.hex, nullptr}};
    std::sort(blobs.begin(), blobs.end(), [](const Blob& a, const Blob& b) { return a.hex < b.hex; });
    auto write_entries = [&]() -> Result<void> {
        CW_TRY(put_header(tar.get(), "blobs/", AE_IFDIR, 0755, 0));
        CW_TRY(put_header(tar.get(), "blobs/sha256/", AE_IFDIR, 0755, 0));
        for (const Blob& b : blobs) {
            std::string name = "blobs/sha256/" + b.hex;
            if (b.text) {
                CW_TRY(put_bytes(tar.get(), name, 0644, as_bytes(*b.text)));
                continue;
            }
            if (::lseek(layer_fd.get(), 0, SEEK_SET) != 0)
                return Error::sys("seek " + layer_path);
            CW_TRY(put_header(tar.get(), name, AE_IFREG, 0644, layer.size));
            // The copy counts as much as the layer's build did, scaled to the files' bytes.
            uint64_t copied = 0;
            uint64_t base = done;
            CW_TRY(put_fd(tar.get(), layer_fd.get(), layer.size, layer_path, [&](size_t n) {
                copied += n;
                if (progress && layer.size > 0)
                    progress(base + static_cast<uint64_t>(static_cast<double>(copied) /
                                                          static_cast<double>(layer.size) *
                                                          static_cast<double>(files_total)),
                             2 * files_total);
            }));
        }
        CW_TRY(put_bytes(tar.get(), "index.json", 0644, as_bytes(index_text)));
        CW_TRY(put_bytes(tar.get(), "oci-layout", 0644, as_bytes(layout_text)));
        if (archive_write_close(tar.get()) != ARCHIVE_OK)
            return archive_error(tar.get(), "closing the archive");
        return {};
    };
    if (auto r = write_entries(); !r.ok()) {
        if (sink.error)
            return std::move(*sink.error).context(partial);
        return std::move(r).error().context(partial);
    }
    if (sink.error)
        return std::move(*sink.error).context(partial);
    if (::fsync(fd.get()) != 0)
        return Error::sys("fsync " + partial);
    fd.reset();
    if (std::rename(partial.c_str(), path.c_str()) != 0)
        return Error::sys("rename " + partial);
    remove_partial.keep();
    out.archive_size = sink.size;
    out.archive_sha256 = sink.hash.finish().hex;
    return out;
}

}  // namespace cw::oci
