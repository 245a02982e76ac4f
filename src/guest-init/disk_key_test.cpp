#include "guest-init/disk_key.h"

#include <doctest/doctest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "guest-init/sim_report.h"
#include "guest-init/tee_evidence.h"

using namespace cw::guest;
using cw::Error;
using cw::Result;

namespace {

RetryPolicy fast(unsigned attempts, std::vector<long>* slept) {
    RetryPolicy p;
    p.max_attempts = attempts;
    p.first_backoff = std::chrono::milliseconds(100);
    p.sleep = [slept](std::chrono::milliseconds d) { slept->push_back(static_cast<long>(d.count())); };
    return p;
}

}  // namespace

TEST_CASE("connect failures are retried with doubling backoff up to the limit") {
    std::vector<long> slept;
    unsigned calls = 0;
    KeyFailure why{};
    auto r = fetch_with_retries(
        [&](bool& connect_failed) -> Result<std::vector<uint8_t>> {
            ++calls;
            connect_failed = true;
            return Error::sys("vsock connect to host port 4000", ECONNREFUSED);
        },
        fast(4, &slept), &why);
    REQUIRE_FALSE(r.ok());
    CHECK(calls == 4);
    CHECK(slept == std::vector<long>{100, 200, 400});
    CHECK(why == KeyFailure::Unreachable);
    CHECK(r.error().message() == "attestation server unreachable after 4 attempts: vsock connect to host port 4000");
}

TEST_CASE("a server that comes up after two failures releases the key") {
    std::vector<long> slept;
    unsigned calls = 0;
    KeyFailure why{};
    auto r = fetch_with_retries(
        [&](bool& connect_failed) -> Result<std::vector<uint8_t>> {
            if (++calls < 3) {
                connect_failed = true;
                return Error::msg("down");
            }
            return std::vector<uint8_t>(32, 0xAB);
        },
        fast(5, &slept), &why);
    REQUIRE(r.ok());
    CHECK(r->bytes()[31] == 0xAB);
    CHECK(calls == 3);
    CHECK(why == KeyFailure::None);
}

TEST_CASE("a refusal is not retried") {
    std::vector<long> slept;
    unsigned calls = 0;
    KeyFailure why{};
    auto r = fetch_with_retries(
        [&](bool&) -> Result<std::vector<uint8_t>> {
            ++calls;
            return Error::msg("attestation server refused attest: policy_rejected (measurement_mismatch): no");
        },
        fast(5, &slept), &why);
    REQUIRE_FALSE(r.ok());
    CHECK(calls == 1);
    CHECK(slept.empty());
    CHECK(why == KeyFailure::Refused);
}

TEST_CASE("a key of the wrong size is refused") {
    std::vector<long> slept;
    auto r = fetch_with_retries([](bool&) -> Result<std::vector<uint8_t>> { return std::vector<uint8_t>(16, 1); },
                                fast(5, &slept), nullptr);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message() == "the attestation server released a 16-byte disk secret, expected 32");
}

TEST_CASE("DiskSecret moves wipe the source") {
    std::array<uint8_t, 32> raw{};
    raw.fill(7);
    DiskSecret a{std::span<const uint8_t, 32>(raw)};
    DiskSecret b(std::move(a));
    CHECK(b.bytes()[0] == 7);
    CHECK(a.bytes()[0] == 0);  // NOLINT(bugprone-use-after-move): checking the wipe
}

TEST_CASE("the sim report exchange: 64 bytes out, 1184 in, then EOF") {
    int sv[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    std::array<uint8_t, 64> request{};
    request[0] = 0x42;
    std::thread service([fd = sv[1]] {
        uint8_t in[64];
        size_t got = 0;
        while (got < sizeof in) {
            ssize_t n = read(fd, in + got, sizeof in - got);
            if (n <= 0)
                break;
            got += static_cast<size_t>(n);
        }
        std::vector<uint8_t> report(1184, in[0]);
        (void)!write(fd, report.data(), report.size());
        close(fd);
    });
    auto report = sim_report_exchange(sv[0], request, std::chrono::seconds(5));
    service.join();
    close(sv[0]);
    REQUIRE_MESSAGE(report.ok(), report.error().to_string());
    CHECK((*report)[1183] == 0x42);
}

TEST_CASE("a short or overlong sim report is refused") {
    for (size_t size : {100u, 1185u}) {
        int sv[2];
        REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
        std::vector<uint8_t> reply(size, 1);
        REQUIRE(write(sv[1], reply.data(), reply.size()) == static_cast<ssize_t>(size));
        close(sv[1]);
        auto report = sim_report_exchange(sv[0], {}, std::chrono::seconds(5));
        close(sv[0]);
        CHECK_FALSE(report.ok());
    }
}

TEST_CASE("SNP evidence from configfs-tsm: the report and the table's certificates") {
    std::vector<uint8_t> aux(24 + 24 + 2, 0);
    const uint8_t vcek[16] = {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64,
                              0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd};
    std::copy(vcek, vcek + 16, aux.begin());
    aux[16] = 48;
    aux[20] = 2;
    auto ev = snp_evidence_from_tsm(std::vector<uint8_t>(1184, 9), aux);
    REQUIRE(ev.ok());
    CHECK(ev->bytes.size() == 1184);
    CHECK(ev->certificates.size() == 1);
    CHECK_FALSE(snp_evidence_from_tsm(std::vector<uint8_t>(1000, 9), {}).ok());
}

TEST_CASE("a --tee none plan has no evidence provider") {
    auto provider = evidence_provider(GuestTee::None);
    CHECK_FALSE(provider({}).ok());
}
