#include "devices/virtio/vsock/packet.h"

#include <doctest/doctest.h>

#include <array>
#include <cstring>
#include <vector>

#include "devices/virtio/queue/queue_test_util.h"

namespace cw::devices::virtio {

namespace {

using test::QueueFixture;

VirtioVsockHdr valid_header(uint32_t len = 0) {
    VirtioVsockHdr hdr{};
    hdr.src_cid = 3;
    hdr.dst_cid = VMADDR_CID_HOST;
    hdr.src_port = 5000;
    hdr.dst_port = 80;
    hdr.len = len;
    hdr.type = VIRTIO_VSOCK_TYPE_STREAM;
    hdr.op = VIRTIO_VSOCK_OP_RW;
    return hdr;
}

std::vector<uint8_t> bytes_of(const VirtioVsockHdr& hdr) {
    std::vector<uint8_t> out(sizeof hdr);
    std::memcpy(out.data(), &hdr, sizeof hdr);
    return out;
}

}  // namespace

TEST_CASE("a tx header split across buffers is read and its payload follows") {
    QueueFixture f;
    const auto hdr = bytes_of(valid_header(5));
    const std::array buffers{f.driver.readable(std::span(hdr).first(10)), f.driver.readable(std::span(hdr).subspan(10)),
                             f.driver.readable("hello")};
    f.driver.add_chain(buffers);
    const auto chain = f.pop_chain();
    ChainReader reader(f.mem, chain);
    auto read = read_tx_header(reader);
    REQUIRE(read.ok());
    CHECK(read->dst_port == 80);
    CHECK(reader.remaining() == 5);
    CHECK(check_tx_header(read.value(), 3, reader.remaining()) == PacketFault::None);
}

TEST_CASE("a tx chain shorter than a header is refused") {
    QueueFixture f;
    const auto hdr = bytes_of(valid_header());
    const std::array buffers{f.driver.readable(std::span(hdr).first(43))};
    f.driver.add_chain(buffers);
    const auto chain = f.pop_chain();
    ChainReader reader(f.mem, chain);
    CHECK_FALSE(read_tx_header(reader).ok());
}

TEST_CASE("each malformed tx header is named") {
    VirtioVsockHdr h = valid_header(4);
    CHECK(check_tx_header(h, 3, 4) == PacketFault::None);
    CHECK(check_tx_header(h, 4, 4) == PacketFault::WrongSrcCid);
    CHECK(check_tx_header(h, 3, 5) == PacketFault::LenMismatch);
    h.dst_cid = 3;
    CHECK(check_tx_header(h, 3, 4) == PacketFault::WrongDstCid);
    h = valid_header(4);
    h.type = 2;  // SEQPACKET
    CHECK(check_tx_header(h, 3, 4) == PacketFault::WrongType);
    h = valid_header(4);
    h.op = 0;
    CHECK(check_tx_header(h, 3, 4) == PacketFault::UnknownOp);
    h.op = 8;
    CHECK(check_tx_header(h, 3, 4) == PacketFault::UnknownOp);
    CHECK(std::string(describe(PacketFault::UnknownOp)) == "unknown op");
}

TEST_CASE("an rx packet is written header first, payload across buffers") {
    QueueFixture f;
    const std::array buffers{f.driver.writable(30), f.driver.writable(30)};
    f.driver.add_chain(buffers);
    const auto chain = f.pop_chain();
    auto writer = RxPacketWriter::begin(f.mem, chain);
    REQUIRE(writer.ok());
    CHECK(writer->payload_room() == 16);
    const std::array<uint8_t, 6> payload{'a', 'b', 'c', 'd', 'e', 'f'};
    REQUIRE(writer->write_payload(payload).ok());
    VirtioVsockHdr hdr = valid_header(6);
    auto used = writer->finish(hdr);
    REQUIRE(used.ok());
    CHECK(used.value() == 50);
    const auto first = f.driver.contents(buffers[0]);
    const auto second = f.driver.contents(buffers[1]);
    std::vector<uint8_t> all(first);
    all.insert(all.end(), second.begin(), second.end());
    VirtioVsockHdr back{};
    std::memcpy(&back, all.data(), sizeof back);
    CHECK(back.len == 6);
    CHECK(back.dst_port == 80);
    CHECK(std::memcmp(all.data() + 44, "abcdef", 6) == 0);
}

TEST_CASE("rx payload iovecs stop at the requested length") {
    QueueFixture f;
    const std::array buffers{f.driver.writable(50), f.driver.writable(100)};
    f.driver.add_chain(buffers);
    const auto chain = f.pop_chain();
    auto writer = RxPacketWriter::begin(f.mem, chain);
    REQUIRE(writer.ok());
    std::array<iovec, 4> iov{};
    auto count = writer->payload_iovecs(60, iov);
    REQUIRE(count.ok());
    CHECK(count.value() == 2);
    CHECK(iov[0].iov_len == 6);
    CHECK(iov[1].iov_len == 54);
}

TEST_CASE("an rx chain without room for a header is refused") {
    QueueFixture f;
    const std::array buffers{f.driver.writable(43)};
    f.driver.add_chain(buffers);
    const auto chain = f.pop_chain();
    CHECK_FALSE(RxPacketWriter::begin(f.mem, chain).ok());
}

}  // namespace cw::devices::virtio
