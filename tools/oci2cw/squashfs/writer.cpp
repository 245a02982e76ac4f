#include "squashfs/writer.h"

#include <sqfs/block.h>
#include <sqfs/block_processor.h>
#include <sqfs/block_writer.h>
#include <sqfs/compressor.h>
#include <sqfs/dir_writer.h>
#include <sqfs/frag_table.h>
#include <sqfs/id_table.h>
#include <sqfs/inode.h>
#include <sqfs/io.h>
#include <sqfs/meta_writer.h>
#include <sqfs/super.h>
#include <sqfs/xattr_writer.h>
#include <sched.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <unordered_map>
#include <vector>

namespace cw::oci {

static_assert(SQFS_ZSTD_MIN_LEVEL == kMinZstdLevel && SQFS_ZSTD_MAX_LEVEL == kMaxZstdLevel &&
              SQFS_ZSTD_DEFAULT_LEVEL == SquashfsSettings{}.zstd_level);

namespace {

struct SqfsDestroy {
    void operator()(void* obj) const { sqfs_destroy(obj); }
};
template <class T>
using SqfsPtr = std::unique_ptr<T, SqfsDestroy>;

struct InodeFree {
    void operator()(sqfs_inode_generic_t* inode) const { sqfs_free(inode); }
};
using InodePtr = std::unique_ptr<sqfs_inode_generic_t, InodeFree>;

Error sqfs_error(const std::string& step, int code) { return Error::msg(step + " failed (libsquashfs " + std::to_string(code) + ")"); }

#define SQFS_TRY(call, step)                 \
    do {                                     \
        int sqfs_rc_ = (call);               \
        if (sqfs_rc_ != 0)                   \
            return sqfs_error(step, sqfs_rc_); \
    } while (0)

struct NodeInfo {
    uint32_t inode_number = 0;
    uint64_t inode_ref = 0;
    uint32_t nlink = 0;       // directory entries naming it (non-directories)
    uint32_t parent = 0;      // directories: the parent's inode number
    sqfs_inode_generic_t* file_inode = nullptr;  // regular files: owned by `file_inodes`
};

uint16_t type_bits(EntryType t) {
    switch (t) {
    case EntryType::regular: return S_IFREG;
    case EntryType::directory: return S_IFDIR;
    case EntryType::symlink: return S_IFLNK;
    case EntryType::char_device: return S_IFCHR;
    case EntryType::block_device: return S_IFBLK;
    case EntryType::fifo: return S_IFIFO;
    case EntryType::hardlink: break;
    }
    return 0;
}

// squashfs stores 32-bit unsigned times: earlier clamps to the epoch, later to 2106.
uint32_t squash_time(int64_t t) {
    return static_cast<uint32_t>(std::clamp<int64_t>(t, 0, std::numeric_limits<uint32_t>::max()));
}

class Writer {
public:
    Result<void> open(const std::string& path, uint32_t jobs, uint32_t zstd_level);
    Result<void> write(const Tree& tree, const LayerOpener& open_layer);

private:
    void number(const std::shared_ptr<Node>& node, uint32_t parent);
    Result<void> write_file_data(const LayerOpener& open_layer);
    Result<InodePtr> make_inode(const Node& node, NodeInfo& info);
    Result<void> write_inode(const Node& node, NodeInfo& info);
    Result<uint32_t> xattr_index(const Node& node);

    SqfsPtr<sqfs_file_t> m_file;
    SqfsPtr<sqfs_compressor_t> m_cmp;
    SqfsPtr<sqfs_frag_table_t> m_frags;
    SqfsPtr<sqfs_block_writer_t> m_blocks;
    SqfsPtr<sqfs_block_processor_t> m_data;
    SqfsPtr<sqfs_id_table_t> m_ids;
    SqfsPtr<sqfs_xattr_writer_t> m_xattrs;
    SqfsPtr<sqfs_meta_writer_t> m_inodes;
    SqfsPtr<sqfs_meta_writer_t> m_dirs;
    SqfsPtr<sqfs_dir_writer_t> m_dirw;
    sqfs_super_t m_super{};

    std::unordered_map<const Node*, NodeInfo> m_info;
    std::vector<const Node*> m_order;  // by inode number - 1
};

Result<void> Writer::open(const std::string& path, uint32_t jobs, uint32_t zstd_level) {
    m_file.reset(sqfs_open_file(path.c_str(), SQFS_FILE_OPEN_OVERWRITE));
    if (!m_file)
        return Error::msg("cannot create " + path);
    sqfs_compressor_config_t cfg;
    SQFS_TRY(sqfs_compressor_config_init(&cfg, SQFS_COMP_ZSTD, SQFS_DEFAULT_BLOCK_SIZE, 0), "compressor config");
    cfg.level = zstd_level;
    sqfs_compressor_t* cmp = nullptr;
    SQFS_TRY(sqfs_compressor_create(&cfg, &cmp), "compressor");
    m_cmp.reset(cmp);
    SQFS_TRY(sqfs_super_init(&m_super, SQFS_DEFAULT_BLOCK_SIZE, 0, SQFS_COMP_ZSTD), "superblock");
    // A placeholder superblock first: data follows it, the real one is written last.
    SQFS_TRY(sqfs_super_write(&m_super, m_file.get()), "superblock");
    int opts = m_cmp->write_options(m_cmp.get(), m_file.get());
    if (opts < 0)
        return sqfs_error("compressor options", opts);
    if (opts > 0)
        m_super.flags |= SQFS_FLAG_COMPRESSOR_OPTIONS;
    m_frags.reset(sqfs_frag_table_create(0));
    m_blocks.reset(sqfs_block_writer_create(m_file.get(), SQFS_DEVBLK_SIZE, 0));
    // The backlog bounds the blocks in flight (memory: backlog x 128 KiB); ten per worker,
    // as gensquashfs does, keeps every worker fed while the next file is read.
    if (m_frags && m_blocks)
        m_data.reset(sqfs_block_processor_create(SQFS_DEFAULT_BLOCK_SIZE, m_cmp.get(), jobs, 10 * size_t{jobs},
                                                 m_blocks.get(), m_frags.get()));
    m_ids.reset(sqfs_id_table_create(0));
    m_xattrs.reset(sqfs_xattr_writer_create(0));
    m_inodes.reset(sqfs_meta_writer_create(m_file.get(), m_cmp.get(), 0));
    m_dirs.reset(sqfs_meta_writer_create(m_file.get(), m_cmp.get(), SQFS_META_WRITER_KEEP_IN_MEMORY));
    if (m_dirs)
        m_dirw.reset(sqfs_dir_writer_create(m_dirs.get(), 0));
    if (!m_data || !m_ids || !m_xattrs || !m_inodes || !m_dirw)
        return Error::msg("libsquashfs: out of memory setting up the writer");
    return {};
}

// Post-order: every child gets its number before its directory, so a directory's entries
// can name their inodes when it is written; the root is last.
void Writer::number(const std::shared_ptr<Node>& node, uint32_t parent_dir_slot) {
    (void)parent_dir_slot;
    for (const auto& [name, child] : node->children) {
        NodeInfo& ci = m_info[child.get()];
        ++ci.nlink;
        if (ci.inode_number != 0)
            continue;  // a second hard link to a node already numbered
        if (child->type == EntryType::directory)
            number(child, 0);
        else {
            m_order.push_back(child.get());
            ci.inode_number = static_cast<uint32_t>(m_order.size());
        }
    }
    m_order.push_back(node.get());
    m_info[node.get()].inode_number = static_cast<uint32_t>(m_order.size());
    for (const auto& [name, child] : node->children)
        if (child->type == EntryType::directory)
            m_info[child.get()].parent = m_info[node.get()].inode_number;
}

Result<void> Writer::write_file_data(const LayerOpener& open_layer) {
    std::vector<const Node*> files;
    for (const Node* n : m_order)
        if (n->type == EntryType::regular)
            files.push_back(n);
    std::sort(files.begin(), files.end(), [](const Node* a, const Node* b) { return a->content < b->content; });

    std::vector<uint8_t> buf(1 << 17);
    for (size_t i = 0; i < files.size();) {
        uint32_t layer = files[i]->content.layer;
        auto stream = CW_TRY(open_layer(layer));
        for (; i < files.size() && files[i]->content.layer == layer; ++i) {
            const Node* file = files[i];
            std::optional<TarEntry> entry;
            do {
                entry = CW_TRY(stream->next());
                if (!entry)
                    return Error::msg("layer " + std::to_string(layer) + " changed between reads (entry missing)");
                if (entry->index != file->content.index)
                    CW_TRY(stream->skip_data(*entry));
            } while (entry->index != file->content.index);
            if (entry->type != EntryType::regular || entry->size != file->size)
                return Error::msg("layer " + std::to_string(layer) + " changed between reads (entry \"" + entry->path +
                                  "\")");
            NodeInfo& info = m_info[file];
            SQFS_TRY(sqfs_block_processor_begin_file(m_data.get(), &info.file_inode, nullptr, 0), "begin file");
            uint64_t total = 0;
            for (;;) {
                size_t n = CW_TRY(stream->read_data(buf));
                if (n == 0)
                    break;
                total += n;
                SQFS_TRY(sqfs_block_processor_append(m_data.get(), buf.data(), n), "write file data");
            }
            SQFS_TRY(sqfs_block_processor_end_file(m_data.get()), "end file");
            if (total != file->size)
                return Error::msg("entry \"" + entry->path + "\": content is " + std::to_string(total) +
                                  " bytes, its header says " + std::to_string(file->size));
        }
        // Drain the rest and re-check the digests: what we wrote must be what was verified.
        while (auto rest = CW_TRY(stream->next()))
            CW_TRY(stream->skip_data(*rest));
        CW_TRY(stream->finish().context("layer " + std::to_string(layer) + " (second read)"));
    }
    SQFS_TRY(sqfs_block_processor_finish(m_data.get()), "flush file data");
    return {};
}

Result<uint32_t> Writer::xattr_index(const Node& node) {
    if (node.xattrs.empty())
        return uint32_t{0xFFFFFFFF};
    SQFS_TRY(sqfs_xattr_writer_begin(m_xattrs.get(), 0), "xattrs");
    for (const auto& [key, value] : node.xattrs) {
        // squashfs can store only the user., trusted. and security. namespaces.
        int rc = sqfs_xattr_writer_add(m_xattrs.get(), key.c_str(), value.data(), value.size());
        if (rc != 0)
            return Error::msg("xattr \"" + key + "\" cannot be stored in squashfs (libsquashfs " + std::to_string(rc) +
                              ")");
    }
    uint32_t index = 0;
    SQFS_TRY(sqfs_xattr_writer_end(m_xattrs.get(), &index), "xattrs");
    return index;
}

Result<InodePtr> Writer::make_inode(const Node& node, NodeInfo& info) {
    uint32_t xattr = CW_TRY(xattr_index(node));
    InodePtr inode;
    switch (node.type) {
    case EntryType::directory: {
        SQFS_TRY(sqfs_dir_writer_begin(m_dirw.get(), 0), "directory");
        for (const auto& [name, child] : node.children) {
            const NodeInfo& ci = m_info.at(child.get());
            SQFS_TRY(sqfs_dir_writer_add_entry(m_dirw.get(), name.c_str(), ci.inode_number, ci.inode_ref,
                                               static_cast<uint16_t>(type_bits(child->type) | (child->mode & 07777))),
                     "directory entry");
        }
        SQFS_TRY(sqfs_dir_writer_end(m_dirw.get()), "directory");
        size_t subdirs = static_cast<size_t>(std::count_if(node.children.begin(), node.children.end(),
                                                           [](const auto& c) { return c.second->type == EntryType::directory; }));
        inode.reset(sqfs_dir_writer_create_inode(m_dirw.get(), 2 + subdirs, xattr, info.parent));
        if (!inode)
            return Error::msg("directory inode: out of memory");
        return inode;
    }
    case EntryType::regular:
        inode.reset(std::exchange(info.file_inode, nullptr));
        if (info.nlink > 1 || xattr != 0xFFFFFFFF)
            SQFS_TRY(sqfs_inode_make_extended(inode.get()), "extended file inode");
        if (inode->base.type == SQFS_INODE_EXT_FILE)
            inode->data.file_ext.nlink = info.nlink;
        break;
    case EntryType::symlink: {
        void* mem = std::calloc(1, sizeof(sqfs_inode_generic_t) + node.link.size());
        if (!mem)
            return Error::msg("symlink inode: out of memory");
        inode.reset(static_cast<sqfs_inode_generic_t*>(mem));
        inode->base.type = SQFS_INODE_SLINK;
        inode->data.slink.nlink = info.nlink;
        inode->data.slink.target_size = static_cast<uint32_t>(node.link.size());
        inode->payload_bytes_available = inode->payload_bytes_used = static_cast<uint32_t>(node.link.size());
        std::memcpy(inode->extra, node.link.data(), node.link.size());
        break;
    }
    case EntryType::char_device:
    case EntryType::block_device: {
        if (node.dev_major > 0xfff || node.dev_minor > 0xfffff)
            return Error::msg("device number out of range");
        inode.reset(static_cast<sqfs_inode_generic_t*>(std::calloc(1, sizeof(sqfs_inode_generic_t))));
        if (!inode)
            return Error::msg("device inode: out of memory");
        inode->base.type = node.type == EntryType::char_device ? SQFS_INODE_CDEV : SQFS_INODE_BDEV;
        inode->data.dev.nlink = info.nlink;
        // The kernel's new_encode_dev(): what squashfs stores.
        inode->data.dev.devno = (node.dev_minor & 0xff) | (node.dev_major << 8) | ((node.dev_minor & ~0xffu) << 12);
        break;
    }
    case EntryType::fifo:
        inode.reset(static_cast<sqfs_inode_generic_t*>(std::calloc(1, sizeof(sqfs_inode_generic_t))));
        if (!inode)
            return Error::msg("fifo inode: out of memory");
        inode->base.type = SQFS_INODE_FIFO;
        inode->data.ipc.nlink = info.nlink;
        break;
    case EntryType::hardlink:
        return Error::msg("internal: hard link node in the tree");
    }
    if (xattr != 0xFFFFFFFF)
        SQFS_TRY(sqfs_inode_set_xattr_index(inode.get(), xattr), "xattr index");
    return inode;
}

Result<void> Writer::write_inode(const Node& node, NodeInfo& info) {
    InodePtr inode = CW_TRY(make_inode(node, info));
    inode->base.mode = static_cast<uint16_t>(type_bits(node.type) | (node.mode & 07777));
    inode->base.mod_time = squash_time(node.mtime);
    inode->base.inode_number = info.inode_number;
    SQFS_TRY(sqfs_id_table_id_to_index(m_ids.get(), node.uid, &inode->base.uid_idx), "uid table");
    SQFS_TRY(sqfs_id_table_id_to_index(m_ids.get(), node.gid, &inode->base.gid_idx), "gid table");
    uint64_t block = 0;
    uint32_t offset = 0;
    sqfs_meta_writer_get_position(m_inodes.get(), &block, &offset);
    info.inode_ref = (block << 16) | offset;
    SQFS_TRY(sqfs_meta_writer_write_inode(m_inodes.get(), inode.get()), "write inode");
    return {};
}

Result<void> Writer::write(const Tree& tree, const LayerOpener& open_layer) {
    number(tree.root, 0);
    m_info[tree.root.get()].parent = 0;
    m_info[tree.root.get()].nlink = 1;
    CW_TRY(write_file_data(open_layer));

    m_super.inode_table_start = m_file->get_size(m_file.get());
    for (const Node* node : m_order)
        CW_TRY(write_inode(*node, m_info[node]));
    SQFS_TRY(sqfs_meta_writer_flush(m_inodes.get()), "inode table");
    m_super.root_inode_ref = m_info[tree.root.get()].inode_ref;
    m_super.directory_table_start = m_file->get_size(m_file.get());
    // The directory table was kept in memory; its last partial block needs flushing first.
    SQFS_TRY(sqfs_meta_writer_flush(m_dirs.get()), "directory table");
    SQFS_TRY(sqfs_meta_write_write_to_file(m_dirs.get()), "directory table");
    m_super.inode_count = static_cast<uint32_t>(m_order.size());

    SQFS_TRY(sqfs_frag_table_write(m_frags.get(), m_file.get(), &m_super, m_cmp.get()), "fragment table");
    SQFS_TRY(sqfs_id_table_write(m_ids.get(), m_file.get(), &m_super, m_cmp.get()), "id table");
    SQFS_TRY(sqfs_xattr_writer_flush(m_xattrs.get(), m_file.get(), &m_super, m_cmp.get()), "xattr table");
    m_super.bytes_used = m_file->get_size(m_file.get());
    SQFS_TRY(sqfs_super_write(&m_super, m_file.get()), "superblock");
    // Pad to the device block size, as block devices (and dm-verity later) want.
    uint64_t padded = (m_super.bytes_used + SQFS_DEVBLK_SIZE - 1) / SQFS_DEVBLK_SIZE * SQFS_DEVBLK_SIZE;
    if (padded != m_super.bytes_used)
        SQFS_TRY(m_file->truncate(m_file.get(), padded), "padding");
    return {};
}

}  // namespace

uint32_t default_squashfs_jobs() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return 1;
    return std::clamp<uint32_t>(static_cast<uint32_t>(CPU_COUNT(&set)), 1, kMaxSquashfsJobs);
}

Result<void> write_squashfs(const Tree& tree, const LayerOpener& open_layer, const std::string& path,
                            const SquashfsSettings& settings) {
    if (settings.jobs > kMaxSquashfsJobs)
        return Error::msg("squashfs: " + std::to_string(settings.jobs) + " compressor jobs asked for, at most " +
                          std::to_string(kMaxSquashfsJobs));
    if (settings.zstd_level < kMinZstdLevel || settings.zstd_level > kMaxZstdLevel)
        return Error::msg("squashfs: zstd level " + std::to_string(settings.zstd_level) + " is not " + std::to_string(kMinZstdLevel) + " to " +
                          std::to_string(kMaxZstdLevel));
    Writer w;
    CW_TRY(w.open(path, settings.jobs == 0 ? default_squashfs_jobs() : settings.jobs, settings.zstd_level));
    return w.write(tree, open_layer);
}

}  // namespace cw::oci
