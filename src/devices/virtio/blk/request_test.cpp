// parse_request(): every request type in its valid form, and each malformed form mapped to
// the status the device must answer with.
#include "devices/virtio/blk/request.h"

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "devices/virtio/blk/blk_test_util.h"
#include "devices/virtio/queue/queue_test_util.h"

using namespace cw::devices::virtio;
using namespace cw::devices::virtio::test;

namespace {

constexpr uint64_t kCapacity = 64;  // sectors

RequestLimits limits() {
    return {.capacity_sectors = kCapacity,
            .discard = true,
            .write_zeroes = true,
            .max_discard_sectors = 16,
            .max_discard_seg = 2,
            .max_write_zeroes_sectors = 16,
            .max_write_zeroes_seg = 2};
}

struct ParseFixture : QueueFixture {
    RequestOutcome parse(std::span<const MockDriver::Buffer> buffers, const RequestLimits& l = limits()) {
        driver.add_chain(buffers);
        const DescriptorChain chain = pop_chain();
        return parse_request(mem, chain, l);
    }
    Request parse_ok(std::span<const MockDriver::Buffer> buffers, const RequestLimits& l = limits()) {
        const RequestOutcome outcome = parse(buffers, l);
        if (const auto* rejected = std::get_if<Rejected>(&outcome))
            FAIL("rejected: " << rejected->why);
        REQUIRE(std::holds_alternative<Request>(outcome));
        return std::get<Request>(outcome);
    }
    Rejected parse_rejected(std::span<const MockDriver::Buffer> buffers, const RequestLimits& l = limits()) {
        const RequestOutcome outcome = parse(buffers, l);
        REQUIRE(std::holds_alternative<Rejected>(outcome));
        return std::get<Rejected>(outcome);
    }
};

}  // namespace

TEST_CASE_FIXTURE(ParseFixture, "IN: the writable bytes before the status are the data") {
    const Request r = parse_ok(std::array{driver.readable(blk_header(VIRTIO_BLK_T_IN, 3)), driver.writable(1024),
                                          driver.writable(1)});
    CHECK(r.type == RequestType::In);
    CHECK(r.sector == 3);
    CHECK(r.data_len == 1024);
    CHECK(r.status_offset == 1024);
}

TEST_CASE_FIXTURE(ParseFixture, "IN: data and status may share one buffer, the header may be split") {
    const auto hdr = blk_header(VIRTIO_BLK_T_IN, 1);
    const Request r = parse_ok(std::array{driver.readable(std::span(hdr).first(5)),
                                          driver.readable(std::span(hdr).subspan(5)), driver.writable(513)});
    CHECK(r.sector == 1);
    CHECK(r.data_len == 512);
    CHECK(r.status_offset == 512);
}

TEST_CASE_FIXTURE(ParseFixture, "IN: the last sectors of the disk are readable") {
    const Request r = parse_ok(std::array{driver.readable(blk_header(VIRTIO_BLK_T_IN, kCapacity - 2)),
                                          driver.writable(1024), driver.writable(1)});
    CHECK(r.data_len == 1024);
}

TEST_CASE_FIXTURE(ParseFixture, "OUT: the readable bytes after the header are the data") {
    const Request r = parse_ok(std::array{driver.readable(blk_header(VIRTIO_BLK_T_OUT, 7)),
                                          driver.readable(pattern(512)), driver.readable(pattern(1024)),
                                          driver.writable(1)});
    CHECK(r.type == RequestType::Out);
    CHECK(r.sector == 7);
    CHECK(r.data_len == 1536);
    CHECK(r.status_offset == 0);
}

TEST_CASE_FIXTURE(ParseFixture, "FLUSH and GET_ID") {
    CHECK(parse_ok(std::array{driver.readable(blk_header(VIRTIO_BLK_T_FLUSH)), driver.writable(1)}).type ==
          RequestType::Flush);
    const Request id = parse_ok(std::array{driver.readable(blk_header(VIRTIO_BLK_T_GET_ID)), driver.writable(21)});
    CHECK(id.type == RequestType::GetId);
    CHECK(id.data_len == 20);
    const Request short_id =
        parse_ok(std::array{driver.readable(blk_header(VIRTIO_BLK_T_GET_ID)), driver.writable(8), driver.writable(1)});
    CHECK(short_id.data_len == 8);
}

TEST_CASE_FIXTURE(ParseFixture, "DISCARD and WRITE_ZEROES: ranges are copied out") {
    const Request d = parse_ok(std::array{
        driver.readable(range_request(VIRTIO_BLK_T_DISCARD, {{0, 8, 0}, {kCapacity - 16, 16, 0}})),
        driver.writable(1)});
    CHECK(d.type == RequestType::Discard);
    REQUIRE(d.ranges.size() == 2);
    CHECK(d.ranges[1].sector == kCapacity - 16);
    CHECK(d.ranges[1].num_sectors == 16);
    const Request z = parse_ok(std::array{
        driver.readable(range_request(VIRTIO_BLK_T_WRITE_ZEROES, {{4, 4, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP}})),
        driver.writable(1)});
    CHECK(z.type == RequestType::WriteZeroes);
    REQUIRE(z.ranges.size() == 1);
    CHECK(z.ranges[0].flags == VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
}

TEST_CASE_FIXTURE(ParseFixture, "no writable byte: the chain cannot be answered") {
    const RequestOutcome o = parse(std::array{driver.readable(blk_header(VIRTIO_BLK_T_IN))});
    CHECK(std::holds_alternative<Unanswerable>(o));
}

TEST_CASE_FIXTURE(ParseFixture, "a header shorter than 16 bytes is IOERR") {
    const auto hdr = blk_header(VIRTIO_BLK_T_IN);
    const Rejected r = parse_rejected(std::array{driver.readable(std::span(hdr).first(15)), driver.writable(513)});
    CHECK(r.status == VIRTIO_BLK_S_IOERR);
    CHECK(r.status_offset == 512);
}

TEST_CASE_FIXTURE(ParseFixture, "a missing header (only a status byte) is IOERR") {
    CHECK(parse_rejected(std::array{driver.writable(1)}).status == VIRTIO_BLK_S_IOERR);
}

TEST_CASE_FIXTURE(ParseFixture, "IN data that is not a multiple of 512 is IOERR") {
    const Rejected r =
        parse_rejected(std::array{driver.readable(blk_header(VIRTIO_BLK_T_IN)), driver.writable(100), driver.writable(1)});
    CHECK(r.status == VIRTIO_BLK_S_IOERR);
    CHECK(r.status_offset == 100);
}

TEST_CASE_FIXTURE(ParseFixture, "OUT data that is not a multiple of 512 is IOERR") {
    CHECK(parse_rejected(std::array{driver.readable(blk_header(VIRTIO_BLK_T_OUT)), driver.readable(pattern(511)),
                                    driver.writable(1)})
              .status == VIRTIO_BLK_S_IOERR);
}

TEST_CASE_FIXTURE(ParseFixture, "IN past the end of the disk is IOERR") {
    CHECK(parse_rejected(std::array{driver.readable(blk_header(VIRTIO_BLK_T_IN, kCapacity - 1)),
                                    driver.writable(1024), driver.writable(1)})
              .status == VIRTIO_BLK_S_IOERR);
    CHECK(parse_rejected(std::array{driver.readable(blk_header(VIRTIO_BLK_T_IN, kCapacity + 1)), driver.writable(1)})
              .status == VIRTIO_BLK_S_IOERR);
}

TEST_CASE_FIXTURE(ParseFixture, "a sector near 2^64 does not wrap into range") {
    CHECK(parse_rejected(std::array{driver.readable(blk_header(VIRTIO_BLK_T_OUT, UINT64_MAX)),
                                    driver.readable(pattern(512)), driver.writable(1)})
              .status == VIRTIO_BLK_S_IOERR);
    CHECK(parse_rejected(std::array{driver.readable(blk_header(VIRTIO_BLK_T_IN, UINT64_MAX >> 9)),
                                    driver.writable(512), driver.writable(1)})
              .status == VIRTIO_BLK_S_IOERR);
}

TEST_CASE_FIXTURE(ParseFixture, "OUT on a read-only disk is IOERR") {
    RequestLimits ro = limits();
    ro.read_only = true;
    CHECK(parse_rejected(std::array{driver.readable(blk_header(VIRTIO_BLK_T_OUT)), driver.readable(pattern(512)),
                                    driver.writable(1)},
                         ro)
              .status == VIRTIO_BLK_S_IOERR);
}

TEST_CASE_FIXTURE(ParseFixture, "an unknown request type is UNSUPP") {
    CHECK(parse_rejected(std::array{driver.readable(blk_header(99)), driver.writable(1)}).status ==
          VIRTIO_BLK_S_UNSUPP);
}

TEST_CASE_FIXTURE(ParseFixture, "DISCARD or WRITE_ZEROES without the feature is UNSUPP") {
    RequestLimits none = limits();
    none.discard = false;
    none.write_zeroes = false;
    CHECK(parse_rejected(std::array{driver.readable(range_request(VIRTIO_BLK_T_DISCARD, {{0, 1, 0}})),
                                    driver.writable(1)},
                         none)
              .status == VIRTIO_BLK_S_UNSUPP);
    CHECK(parse_rejected(std::array{driver.readable(range_request(VIRTIO_BLK_T_WRITE_ZEROES, {{0, 1, 0}})),
                                    driver.writable(1)},
                         none)
              .status == VIRTIO_BLK_S_UNSUPP);
}

TEST_CASE_FIXTURE(ParseFixture, "DISCARD with the UNMAP flag (or a reserved one) is UNSUPP") {
    CHECK(parse_rejected(std::array{driver.readable(range_request(VIRTIO_BLK_T_DISCARD, {{0, 1, 1}})),
                                    driver.writable(1)})
              .status == VIRTIO_BLK_S_UNSUPP);
    CHECK(parse_rejected(std::array{driver.readable(range_request(VIRTIO_BLK_T_WRITE_ZEROES, {{0, 1, 2}})),
                                    driver.writable(1)})
              .status == VIRTIO_BLK_S_UNSUPP);
}

TEST_CASE_FIXTURE(ParseFixture, "DISCARD ranges: count, size and position are bounded") {
    SUBCASE("more ranges than max_discard_seg") {
        CHECK(parse_rejected(std::array{driver.readable(range_request(VIRTIO_BLK_T_DISCARD,
                                                                      {{0, 1, 0}, {1, 1, 0}, {2, 1, 0}})),
                                        driver.writable(1)})
                  .status == VIRTIO_BLK_S_IOERR);
    }
    SUBCASE("a range longer than max_discard_sectors") {
        CHECK(parse_rejected(std::array{driver.readable(range_request(VIRTIO_BLK_T_DISCARD, {{0, 17, 0}})),
                                        driver.writable(1)})
                  .status == VIRTIO_BLK_S_IOERR);
    }
    SUBCASE("a range past the end") {
        CHECK(parse_rejected(std::array{driver.readable(range_request(VIRTIO_BLK_T_DISCARD, {{kCapacity - 1, 2, 0}})),
                                        driver.writable(1)})
                  .status == VIRTIO_BLK_S_IOERR);
    }
    SUBCASE("a range near 2^64") {
        CHECK(parse_rejected(std::array{driver.readable(range_request(VIRTIO_BLK_T_WRITE_ZEROES, {{UINT64_MAX, 2, 0}})),
                                        driver.writable(1)})
                  .status == VIRTIO_BLK_S_IOERR);
    }
    SUBCASE("no ranges at all") {
        CHECK(parse_rejected(std::array{driver.readable(blk_header(VIRTIO_BLK_T_DISCARD)), driver.writable(1)}).status ==
              VIRTIO_BLK_S_IOERR);
    }
    SUBCASE("a partial range") {
        auto bytes = range_request(VIRTIO_BLK_T_DISCARD, {{0, 1, 0}});
        bytes.resize(bytes.size() - 4);
        CHECK(parse_rejected(std::array{driver.readable(bytes), driver.writable(1)}).status == VIRTIO_BLK_S_IOERR);
    }
}

TEST_CASE_FIXTURE(ParseFixture, "DISCARD on a read-only disk is IOERR") {
    RequestLimits ro = limits();
    ro.read_only = true;
    CHECK(parse_rejected(std::array{driver.readable(range_request(VIRTIO_BLK_T_DISCARD, {{0, 1, 0}})),
                                    driver.writable(1)},
                         ro)
              .status == VIRTIO_BLK_S_IOERR);
}
