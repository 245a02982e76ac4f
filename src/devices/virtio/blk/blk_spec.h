// virtio-blk wire format: VIRTIO 1.2, section 5.2 (the kernel's
// include/uapi/linux/virtio_blk.h has the same layout and values). Declared once here.
//
// Every field is little-endian; like spec/virtio_ring.h this header relies on a
// little-endian host, so plain integer fields are the wire layout.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace cw::devices::virtio {

static_assert(std::endian::native == std::endian::little, "virtio wire formats assume a little-endian host");

// 5.2.3 Feature bits (bit numbers).
inline constexpr uint32_t VIRTIO_BLK_F_SIZE_MAX = 1;       // size_max is valid
inline constexpr uint32_t VIRTIO_BLK_F_SEG_MAX = 2;        // seg_max is valid
inline constexpr uint32_t VIRTIO_BLK_F_RO = 5;             // the device is read-only
inline constexpr uint32_t VIRTIO_BLK_F_BLK_SIZE = 6;       // blk_size is valid
inline constexpr uint32_t VIRTIO_BLK_F_FLUSH = 9;          // cache flush command
inline constexpr uint32_t VIRTIO_BLK_F_DISCARD = 13;       // discard command, limits in config
inline constexpr uint32_t VIRTIO_BLK_F_WRITE_ZEROES = 14;  // write zeroes command, limits in config

// 5.2.6 Request types (virtio_blk_outhdr.type).
inline constexpr uint32_t VIRTIO_BLK_T_IN = 0;
inline constexpr uint32_t VIRTIO_BLK_T_OUT = 1;
inline constexpr uint32_t VIRTIO_BLK_T_FLUSH = 4;
inline constexpr uint32_t VIRTIO_BLK_T_GET_ID = 8;
inline constexpr uint32_t VIRTIO_BLK_T_DISCARD = 11;
inline constexpr uint32_t VIRTIO_BLK_T_WRITE_ZEROES = 13;

// 5.2.6 Status byte values (the last device-writable byte of each request).
inline constexpr uint8_t VIRTIO_BLK_S_OK = 0;
inline constexpr uint8_t VIRTIO_BLK_S_IOERR = 1;
inline constexpr uint8_t VIRTIO_BLK_S_UNSUPP = 2;

// 5.2.6: sectors are always 512 bytes, whatever blk_size says.
inline constexpr uint64_t kSectorSize = 512;
inline constexpr uint32_t kSectorShift = 9;
// 5.2.6 GET_ID: the serial is at most 20 bytes, NUL-padded (not terminated when 20 long).
inline constexpr uint32_t VIRTIO_BLK_ID_BYTES = 20;
// 5.2.6 virtio_blk_discard_write_zeroes.flags.
inline constexpr uint32_t VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP = 1;

// 5.2.6 The request header, at the start of the device-readable part.
struct VirtioBlkOuthdr {
    uint32_t type;    // 0x0: VIRTIO_BLK_T_*
    uint32_t ioprio;  // 0x4: ignored (the spec calls it "reserved")
    uint64_t sector;  // 0x8: first 512-byte sector (IN, OUT)
};
static_assert(sizeof(VirtioBlkOuthdr) == 16 && std::is_standard_layout_v<VirtioBlkOuthdr>);
static_assert(offsetof(VirtioBlkOuthdr, ioprio) == 4 && offsetof(VirtioBlkOuthdr, sector) == 8);

// 5.2.6 One range of a DISCARD or WRITE_ZEROES request (the data after the header).
struct VirtioBlkDiscardWriteZeroes {
    uint64_t sector;       // 0x0
    uint32_t num_sectors;  // 0x8
    uint32_t flags;        // 0xc: bit 0 UNMAP (WRITE_ZEROES only), other bits reserved
};
static_assert(sizeof(VirtioBlkDiscardWriteZeroes) == 16 && std::is_standard_layout_v<VirtioBlkDiscardWriteZeroes>);
static_assert(offsetof(VirtioBlkDiscardWriteZeroes, num_sectors) == 8 &&
              offsetof(VirtioBlkDiscardWriteZeroes, flags) == 12);

// 5.2.4 Device configuration layout, up to the secure-erase limits (the zoned fields after
// them are only read with VIRTIO_BLK_F_ZONED, which this device never offers).
struct VirtioBlkConfig {
    uint64_t capacity;  // 0x00: size in 512-byte sectors
    uint32_t size_max;  // 0x08: VIRTIO_BLK_F_SIZE_MAX
    uint32_t seg_max;   // 0x0c: VIRTIO_BLK_F_SEG_MAX: data segments per request
    struct {
        uint16_t cylinders;
        uint8_t heads;
        uint8_t sectors;
    } geometry;         // 0x10: VIRTIO_BLK_F_GEOMETRY
    uint32_t blk_size;  // 0x14: VIRTIO_BLK_F_BLK_SIZE
    struct {
        uint8_t physical_block_exp;
        uint8_t alignment_offset;
        uint16_t min_io_size;
        uint32_t opt_io_size;
    } topology;                          // 0x18: VIRTIO_BLK_F_TOPOLOGY
    uint8_t writeback;                   // 0x20: VIRTIO_BLK_F_CONFIG_WCE
    uint8_t unused0;                     // 0x21
    uint16_t num_queues;                 // 0x22: VIRTIO_BLK_F_MQ
    uint32_t max_discard_sectors;        // 0x24: VIRTIO_BLK_F_DISCARD, per segment
    uint32_t max_discard_seg;            // 0x28
    uint32_t discard_sector_alignment;   // 0x2c: in 512-byte sectors
    uint32_t max_write_zeroes_sectors;   // 0x30: VIRTIO_BLK_F_WRITE_ZEROES, per segment
    uint32_t max_write_zeroes_seg;       // 0x34
    uint8_t write_zeroes_may_unmap;      // 0x38
    uint8_t unused1[3];                  // 0x39
    uint32_t max_secure_erase_sectors;   // 0x3c: VIRTIO_BLK_F_SECURE_ERASE (never offered)
    uint32_t max_secure_erase_seg;       // 0x40
    uint32_t secure_erase_sector_alignment;  // 0x44
};
static_assert(sizeof(VirtioBlkConfig) == 0x48 && std::is_standard_layout_v<VirtioBlkConfig>);
static_assert(offsetof(VirtioBlkConfig, seg_max) == 0x0c && offsetof(VirtioBlkConfig, blk_size) == 0x14);
static_assert(offsetof(VirtioBlkConfig, writeback) == 0x20 && offsetof(VirtioBlkConfig, num_queues) == 0x22);
static_assert(offsetof(VirtioBlkConfig, max_discard_sectors) == 0x24 &&
              offsetof(VirtioBlkConfig, discard_sector_alignment) == 0x2c);
static_assert(offsetof(VirtioBlkConfig, max_write_zeroes_sectors) == 0x30 &&
              offsetof(VirtioBlkConfig, write_zeroes_may_unmap) == 0x38);
static_assert(offsetof(VirtioBlkConfig, max_secure_erase_sectors) == 0x3c);

}  // namespace cw::devices::virtio
