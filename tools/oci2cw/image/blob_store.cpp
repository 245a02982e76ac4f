#include "image/blob_store.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

namespace cw::oci {

namespace {

// Bound on archive members: a docker-archive has a few files per layer.
constexpr size_t kMaxMembers = 100000;
// Bound on symlink/hardlink alias chains between members.
constexpr int kMaxAliasDepth = 16;

class DirectoryStore final : public BlobStore {
public:
    explicit DirectoryStore(UniqueFd dir) : m_dir(std::move(dir)) {}
    Result<UniqueFd> open(const std::string& path) const override {
        std::string rel = CW_TRY(normalize_member_path(path));
        int fd = ::openat(m_dir.get(), rel.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
            return Error::sys("open " + rel);
        return UniqueFd(fd);
    }

private:
    UniqueFd m_dir;
};

class ArchiveStore final : public BlobStore {
public:
    ~ArchiveStore() override {
        for (const auto& [member, file] : m_files)
            ::unlink(file.c_str());
        if (!m_dir.empty())
            ::rmdir(m_dir.c_str());
    }
    Result<UniqueFd> open(const std::string& path) const override {
        std::string member = CW_TRY(normalize_member_path(path));
        for (int depth = 0; depth < kMaxAliasDepth; ++depth) {
            if (auto it = m_files.find(member); it != m_files.end()) {
                int fd = ::open(it->second.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0)
                    return Error::sys("open staged " + member);
                return UniqueFd(fd);
            }
            auto alias = m_aliases.find(member);
            if (alias == m_aliases.end())
                return Error::msg("archive has no member \"" + member + "\"");
            member = alias->second;
        }
        return Error::msg("archive member \"" + path + "\": link chain too long");
    }

    std::string m_dir;
    std::map<std::string, std::string> m_files;    // member path -> staged file
    std::map<std::string, std::string> m_aliases;  // member path -> member path (links)
};

struct ArchiveFree {
    void operator()(archive* a) const { archive_read_free(a); }
};

// A symlink target relative to the member's directory, as a member path.
Result<std::string> resolve_link(const std::string& member, const std::string& target, bool relative) {
    if (!relative)
        return normalize_member_path(target);
    auto slash = member.rfind('/');
    std::string base = slash == std::string::npos ? "" : member.substr(0, slash + 1);
    return normalize_member_path(base + target);
}

Result<void> copy_member(archive* a, int out, uint64_t& budget) {
    std::vector<uint8_t> buf(1 << 16);
    for (;;) {
        la_ssize_t n = archive_read_data(a, buf.data(), buf.size());
        if (n < 0)
            return Error::msg(archive_error_string(a) ? archive_error_string(a) : "read failed");
        if (n == 0)
            return {};
        auto len = static_cast<size_t>(n);
        if (len > budget)
            return Error::msg("archive larger than the size limit");
        budget -= len;
        for (size_t done = 0; done < len;) {
            ssize_t w = ::write(out, buf.data() + done, len - done);
            if (w < 0)
                return Error::sys("write staged blob");
            done += static_cast<size_t>(w);
        }
    }
}

}  // namespace

Result<std::string> normalize_member_path(const std::string& path) {
    std::vector<std::string> parts;
    size_t pos = 0;
    while (pos <= path.size()) {
        size_t next = path.find('/', pos);
        if (next == std::string::npos)
            next = path.size();
        std::string part = path.substr(pos, next - pos);
        if (part == "..") {
            if (parts.empty())
                return Error::msg("path \"" + path + "\" leaves the image root");
            parts.pop_back();
        } else if (!part.empty() && part != ".") {
            parts.push_back(std::move(part));
        }
        pos = next + 1;
    }
    std::string out;
    for (const auto& p : parts)
        out += (out.empty() ? "" : "/") + p;
    if (out.empty())
        return Error::msg("empty path");
    return out;
}

Result<std::unique_ptr<BlobStore>> open_directory_store(const std::string& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return Error::sys("open " + dir);
    return std::unique_ptr<BlobStore>(std::make_unique<DirectoryStore>(UniqueFd(fd)));
}

Result<std::unique_ptr<BlobStore>> open_archive_store(const std::string& file, uint64_t max_bytes) {
    auto store = std::make_unique<ArchiveStore>();
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/oci2cw.XXXXXX";
    if (!::mkdtemp(templ.data()))
        return Error::sys("mkdtemp " + templ);
    store->m_dir = templ;

    std::unique_ptr<archive, ArchiveFree> a(archive_read_new());
    archive_read_support_format_tar(a.get());
    if (archive_read_open_filename(a.get(), file.c_str(), 1 << 16) != ARCHIVE_OK)
        return Error::msg(std::string("open ") + file + ": " + archive_error_string(a.get()));
    uint64_t budget = max_bytes;
    archive_entry* entry = nullptr;
    for (size_t count = 0;; ++count) {
        int r = archive_read_next_header(a.get(), &entry);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN)
            return Error::msg(file + ": " + archive_error_string(a.get()));
        if (count >= kMaxMembers)
            return Error::msg(file + ": more than 100000 members");
        const char* name = archive_entry_pathname(entry);
        if (!name)
            return Error::msg(file + ": member without a path");
        auto type = archive_entry_filetype(entry);
        if (type == AE_IFDIR)
            continue;
        std::string member = CW_TRY(normalize_member_path(name).context(file));
        if (store->m_files.count(member) || store->m_aliases.count(member))
            return Error::msg(file + ": duplicate member \"" + member + "\"");
        if (const char* hl = archive_entry_hardlink(entry)) {
            store->m_aliases[member] = CW_TRY(resolve_link(member, hl, false).context(file));
            continue;
        }
        if (type == AE_IFLNK) {
            const char* target = archive_entry_symlink(entry);
            store->m_aliases[member] = CW_TRY(resolve_link(member, target ? target : "", true).context(file));
            continue;
        }
        if (type != AE_IFREG)
            return Error::msg(file + ": member \"" + member + "\" is not a file, directory or link");
        std::string staged = store->m_dir + "/" + std::to_string(store->m_files.size());
        UniqueFd out(::open(staged.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (!out.valid())
            return Error::sys("create " + staged);
        store->m_files[member] = staged;
        CW_TRY(copy_member(a.get(), out.get(), budget).context(file + ": member \"" + member + "\""));
    }
    return std::unique_ptr<BlobStore>(std::move(store));
}

}  // namespace cw::oci
