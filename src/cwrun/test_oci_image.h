// Unit tests only: a small OCI layout written by hand, with full control over its layer's
// entries (names, types, sizes) and labels, for the hostile cases oci2cw never writes.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <utility>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "image/converted_labels.h"
#include "image/digest.h"

namespace cw::cwrun::testing {

enum class Kind { file, directory, symlink, hardlink };

struct LayerEntry {
    LayerEntry(std::string p, std::string c, Kind k = Kind::file, std::string l = "")
        : path(std::move(p)), content(std::move(c)), kind(k), link(std::move(l)) {}
    std::string path;
    std::string content;  // files
    Kind kind = Kind::file;
    std::string link;  // symlink or hardlink target
};

inline std::string read_file(const std::filesystem::path& path) {
    std::string out(std::filesystem::file_size(path), '\0');
    std::ifstream(path, std::ios::binary).read(out.data(), static_cast<std::streamsize>(out.size()));
    return out;
}

inline std::string sha256_hex(const std::string& bytes) {
    oci::Sha256 h;
    h.update(bytes.data(), bytes.size());
    return h.finish().hex;
}

class OciLayout {
public:
    std::filesystem::path root;
    std::vector<LayerEntry> entries;
    std::map<std::string, std::string> labels;
    std::string layer_digest;  // set by write()

    // A converted sim image: `workload_json` and an 8192-byte disk.img, as oci2cw writes them.
    explicit OciLayout(const std::string& workload_json) {
        char tmpl[] = "/tmp/cw-cwrun-oci-XXXXXX";
        root = ::mkdtemp(tmpl);
        entries = {{"disk.img", std::string(8192, 'D')},
                   {"entrypoint", "#!/bin/false\n"},
                   {"workload.json", workload_json}};
        labels = {{oci::label::kWorkloadId, "hello"},
                  {oci::label::kTee, "sim"},
                  {oci::label::kFormatVersion, "1"},
                  {oci::label::kRootfs, "disk.img"},
                  {oci::label::kWorkloadSha256, sha256_hex(workload_json)}};
    }
    OciLayout(const OciLayout&) = delete;
    OciLayout& operator=(const OciLayout&) = delete;
    ~OciLayout() { std::filesystem::remove_all(root); }

    std::filesystem::path layout() const { return root / "layout"; }
    std::filesystem::path blob(const std::string& hex) const { return layout() / "blobs" / "sha256" / hex; }

    // Writes the layout and returns its reference, oci:DIR.
    std::string write() {
        std::filesystem::create_directories(layout() / "blobs" / "sha256");
        const std::string layer = tar();
        layer_digest = put_blob(layer);
        nlohmann::json config = {{"architecture", "amd64"},
                                 {"os", "linux"},
                                 {"config", {{"Labels", labels}}},
                                 {"rootfs", {{"type", "layers"}, {"diff_ids", {"sha256:" + layer_digest}}}}};
        const std::string config_bytes = config.dump();
        nlohmann::json manifest = {
            {"schemaVersion", 2},
            {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
            {"config", descriptor("application/vnd.oci.image.config.v1+json", config_bytes, put_blob(config_bytes))},
            {"layers", {descriptor("application/vnd.oci.image.layer.v1.tar", layer, layer_digest)}}};
        const std::string manifest_bytes = manifest.dump();
        nlohmann::json index = {
            {"schemaVersion", 2},
            {"manifests",
             {descriptor("application/vnd.oci.image.manifest.v1+json", manifest_bytes, put_blob(manifest_bytes))}}};
        std::ofstream(layout() / "index.json") << index.dump();
        std::ofstream(layout() / "oci-layout") << R"({"imageLayoutVersion":"1.0.0"})";
        return "oci:" + layout().string();
    }

private:
    static nlohmann::json descriptor(const std::string& media_type, const std::string& bytes, const std::string& hex) {
        return {{"mediaType", media_type}, {"digest", "sha256:" + hex}, {"size", bytes.size()}};
    }

    std::string put_blob(const std::string& bytes) const {
        const std::string hex = sha256_hex(bytes);
        std::ofstream(blob(hex), std::ios::binary) << bytes;
        return hex;
    }

    std::string tar() const {
        const std::string path = (root / "layer.tar").string();
        archive* a = archive_write_new();
        archive_write_set_format_pax_restricted(a);
        archive_write_open_filename(a, path.c_str());
        for (const auto& e : entries) {
            archive_entry* h = archive_entry_new();
            archive_entry_set_pathname(h, e.path.c_str());
            archive_entry_set_perm(h, 0644);
            if (e.kind == Kind::directory) {
                archive_entry_set_filetype(h, AE_IFDIR);
            } else if (e.kind == Kind::symlink) {
                archive_entry_set_filetype(h, AE_IFLNK);
                archive_entry_set_symlink(h, e.link.c_str());
            } else {
                archive_entry_set_filetype(h, AE_IFREG);
                if (e.kind == Kind::hardlink)
                    archive_entry_set_hardlink(h, e.link.c_str());
                else
                    archive_entry_set_size(h, static_cast<la_int64_t>(e.content.size()));
            }
            archive_write_header(a, h);
            if (e.kind == Kind::file)
                archive_write_data(a, e.content.data(), e.content.size());
            archive_entry_free(h);
        }
        archive_write_close(a);
        archive_write_free(a);
        return read_file(path);
    }
};

}  // namespace cw::cwrun::testing
