#include "tee/launch/workload_cpio.h"

#include <doctest/doctest.h>

#include <string>

#include "base/hex.h"

using namespace cw::tee;

namespace {

std::string text(const std::vector<uint8_t>& bytes) { return {bytes.begin(), bytes.end()}; }

// guest/mkcpio.py's header, written out by hand: "070701", 13 fields of 8 hex digits, name.
std::string header(const char* ino, const char* mode, const char* nlink, const char* size, const char* namesize) {
    return std::string("070701") + ino + mode + "00000000" + "00000000" + nlink + "00000000" + size + "00000000" +
           "00000000" + "00000000" + "00000000" + namesize + "00000000";
}

}  // namespace

TEST_CASE("the cpio writer produces mkcpio.py's bytes for a directory and a file") {
    const CpioEntry entries[] = {{"cw", 040755, {}}, {"cw/a", 0100444, {'x', 'y', 'z'}}};
    std::string expected;
    // 110-byte header + "cw\0" = 113, padded to 116.
    expected += header("00000001", "000041ed", "00000002", "00000000", "00000003") + std::string("cw\0", 3) +
                std::string(3, '\0');
    // 110 + "cw/a\0" = 115, padded to 116; data 3 bytes padded to 4.
    expected += header("00000002", "00008124", "00000001", "00000003", "00000005") + std::string("cw/a\0", 5) +
                std::string(1, '\0') + "xyz" + std::string(1, '\0');
    expected += header("00000000", "00000000", "00000001", "00000000", "0000000b") + std::string("TRAILER!!!\0", 11) +
                std::string(3, '\0');
    expected.resize(512, '\0');
    CHECK(text(write_cpio_newc(entries)) == expected);
}

TEST_CASE("the workload archive holds cw/ and cw/workload.json") {
    const std::vector<uint8_t> config = {'{', '}'};
    const std::string archive = text(workload_config_cpio(config));
    CHECK(archive.size() % 512 == 0);
    CHECK(archive.find(std::string("cw\0", 3)) != std::string::npos);
    CHECK(archive.find(std::string("cw/workload.json\0", 17)) != std::string::npos);
    CHECK(archive.find("{}") != std::string::npos);
}

TEST_CASE("HOST_DATA is the SHA-256 of the configuration") {
    const std::vector<uint8_t> abc = {'a', 'b', 'c'};
    CHECK(cw::to_hex_lower(workload_host_data(abc).value()) ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
