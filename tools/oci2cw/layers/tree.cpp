#include "layers/tree.h"

#include <set>

namespace cw::oci {

namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

Error entry_error(const TarEntry& e, const std::string& what) {
    return Error::msg("entry \"" + e.path + "\": " + what);
}

enum class Missing { create, stop };

// Walks to the directory holding the last component. Refuses symlinks and non-directories
// on the way: following a symlink here would let a layer write outside the directory it
// names (or outside the root). Returns null when a component is missing and `missing` is stop.
Result<Node*> parent_dir(Tree& tree, const std::vector<std::string>& parts, Missing missing) {
    Node* dir = tree.root.get();
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
        auto it = dir->children.find(parts[i]);
        if (it == dir->children.end()) {
            if (missing == Missing::stop)
                return static_cast<Node*>(nullptr);
            // Parents a layer does not list get tar's defaults for implied directories.
            it = dir->children.emplace(parts[i], std::make_shared<Node>()).first;
        }
        Node* next = it->second.get();
        if (next->type == EntryType::symlink)
            return Error::msg("path goes through the symlink \"" + parts[i] + "\"");
        if (next->type != EntryType::directory)
            return Error::msg("path goes through the non-directory \"" + parts[i] + "\"");
        dir = next;
    }
    return dir;
}

std::shared_ptr<Node> node_from(const TarEntry& e, uint32_t layer) {
    auto n = std::make_shared<Node>();
    n->type = e.type;
    n->mode = e.mode;
    n->uid = e.uid;
    n->gid = e.gid;
    n->mtime = e.mtime;
    n->size = e.size;
    n->link = e.link;
    n->dev_major = e.dev_major;
    n->dev_minor = e.dev_minor;
    n->xattrs = e.xattrs;
    n->content = {layer, e.index};
    return n;
}

void copy_metadata(Node& dir, const TarEntry& e) {
    dir.mode = e.mode;
    dir.uid = e.uid;
    dir.gid = e.gid;
    dir.mtime = e.mtime;
    dir.xattrs = e.xattrs;
}

Result<void> apply_whiteout(Tree& tree, std::vector<std::string> parts) {
    std::string name = parts.back();
    Node* dir = CW_TRY(parent_dir(tree, parts, Missing::stop));
    if (!dir)
        return {};
    if (name == kOpaqueMarker) {
        dir->children.clear();
        return {};
    }
    dir->children.erase(name.substr(kWhiteoutPrefix.size()));
    return {};
}

Result<void> apply_hardlink(Tree& tree, Node& dir, const std::vector<std::string>& parts, const TarEntry& e) {
    auto target_parts = CW_TRY(split_path(e.link).context("hard link target"));
    if (target_parts.empty())
        return Error::msg("hard link to the root directory");
    if (target_parts == parts)
        return Error::msg("hard link to itself");
    Node* target_dir = CW_TRY(parent_dir(tree, target_parts, Missing::stop).context("hard link target"));
    auto it = target_dir ? target_dir->children.find(target_parts.back()) : dir.children.end();
    if (!target_dir || it == target_dir->children.end())
        return Error::msg("hard link to missing \"" + e.link + "\"");
    if (it->second->type == EntryType::directory)
        return Error::msg("hard link to the directory \"" + e.link + "\"");
    auto target = it->second;  // keep it alive: it may be the very entry being replaced
    dir.children[parts.back()] = std::move(target);
    return {};
}

Result<void> apply_entry(Tree& tree, const std::vector<std::string>& parts, const TarEntry& e, uint32_t layer) {
    if (parts.empty()) {
        if (e.type != EntryType::directory)
            return Error::msg("the root is not a directory");
        copy_metadata(*tree.root, e);
        return {};
    }
    Node* dir = CW_TRY(parent_dir(tree, parts, Missing::create));
    if (e.type == EntryType::hardlink)
        return apply_hardlink(tree, *dir, parts, e);
    auto& slot = dir->children[parts.back()];
    // Directories merge with a lower directory; anything else replaces what was there.
    if (e.type == EntryType::directory && slot && slot->type == EntryType::directory) {
        copy_metadata(*slot, e);
        return {};
    }
    slot = node_from(e, layer);
    return {};
}

// Whiteout markers: ".wh.NAME" or the opaque marker, and only as the last component.
Result<bool> is_whiteout(const std::vector<std::string>& parts) {
    for (size_t i = 0; i + 1 < parts.size(); ++i)
        if (parts[i].starts_with(kWhiteoutPrefix))
            return Error::msg("whiteout for a name containing '/'");
    if (parts.empty() || !parts.back().starts_with(kWhiteoutPrefix))
        return false;
    const std::string& last = parts.back();
    if (last == kOpaqueMarker)
        return true;
    if (last.starts_with(".wh..wh."))
        return Error::msg("unsupported whiteout metadata \"" + last + "\"");
    std::string name = last.substr(kWhiteoutPrefix.size());
    if (name.empty() || name == "." || name == "..")
        return Error::msg("whiteout without a valid name");
    return true;
}

}  // namespace

Result<std::vector<std::string>> split_path(const std::string& path) {
    std::vector<std::string> parts;
    size_t pos = 0;
    while (pos <= path.size()) {
        size_t next = path.find('/', pos);
        if (next == std::string::npos)
            next = path.size();
        std::string part = path.substr(pos, next - pos);
        if (part == "..")
            return Error::msg("path has a \"..\" component");
        if (part.find('\0') != std::string::npos)
            return Error::msg("path has a NUL byte");
        if (!part.empty() && part != ".")
            parts.push_back(std::move(part));
        pos = next + 1;
    }
    return parts;
}

Result<void> apply_layer(Tree& tree, const std::vector<TarEntry>& entries, uint32_t layer) {
    std::vector<std::vector<std::string>> paths;
    std::vector<bool> whiteout;
    std::set<std::vector<std::string>> seen;
    for (const TarEntry& e : entries) {
        auto parts = split_path(e.path);
        if (!parts.ok())
            return entry_error(e, parts.error().message());
        auto wh = is_whiteout(*parts);
        if (!wh.ok())
            return entry_error(e, wh.error().message());
        if (!seen.insert(*parts).second)
            return entry_error(e, "duplicate entry in one layer");
        if (*wh && e.type == EntryType::directory)
            return entry_error(e, "whiteout is a directory");
        paths.push_back(std::move(*parts));
        whiteout.push_back(*wh);
    }
    for (size_t i = 0; i < entries.size(); ++i)
        if (whiteout[i])
            if (auto r = apply_whiteout(tree, paths[i]); !r.ok())
                return entry_error(entries[i], r.error().message());
    for (size_t i = 0; i < entries.size(); ++i)
        if (!whiteout[i])
            if (auto r = apply_entry(tree, paths[i], entries[i], layer); !r.ok())
                return entry_error(entries[i], r.error().message());
    return {};
}

}  // namespace cw::oci
