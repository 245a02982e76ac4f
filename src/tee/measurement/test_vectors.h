// Test helpers and the reference vectors of shared/vectors/snp-launch-digest.md and
// shared/vectors/tdx-measurement.md, copied verbatim (hex) so a test failure points at the
// vector by name.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "tee/measurement/sha384.h"

namespace cw::tee::test {

inline std::vector<uint8_t> from_hex(std::string_view hex) {
    auto bytes = cw::from_hex(hex);
    if (!bytes)
        throw std::invalid_argument("bad hex in a test vector");
    return *bytes;
}

inline Sha384Digest digest_from_hex(std::string_view hex) {
    auto bytes = from_hex(hex);
    if (bytes.size() != kSha384Size)
        throw std::invalid_argument("a test digest is not 48 bytes");
    Sha384Digest d{};
    std::copy(bytes.begin(), bytes.end(), d.begin());
    return d;
}

// Page "p0": byte i = i & 0xFF.
inline std::vector<uint8_t> pattern_page() {
    std::vector<uint8_t> page(4096);
    for (size_t i = 0; i < page.size(); ++i)
        page[i] = static_cast<uint8_t>(i & 0xff);
    return page;
}

// Vector A3's page: byte i = 0xA5 ^ (i & 0xFF).
inline std::vector<uint8_t> vmsa_pattern_page() {
    std::vector<uint8_t> page(4096);
    for (size_t i = 0; i < page.size(); ++i)
        page[i] = static_cast<uint8_t>(0xa5 ^ (i & 0xff));
    return page;
}

inline std::vector<uint8_t> zero_page() { return std::vector<uint8_t>(4096, 0); }

template <class T>
std::string error_of(const Result<T>& r) {
    return r.ok() ? std::string("(no error)") : r.error().to_string();
}

inline bool contains(const std::string& haystack, std::string_view needle) {
    return haystack.find(needle) != std::string::npos;
}

// SNP, vector A (a chain from 48 zero bytes).
inline constexpr std::string_view kA1Contents =
    "166f9617070665894eb30e3968ee7642d7fd459089bee2ccae3aa4ae1b658eb53e2780a0b9e10ae5efe7ed112be3bf59";
inline constexpr std::string_view kA1Digest =
    "fcd01075a27fb4ad66ad0375d1910f07e220325f9329fb1861839b569b9d15ca877eafd18e0f8023fba22e173c42b4d1";
inline constexpr std::string_view kA2Digest =
    "0a8c9e8bd9757e861aaa3a7ce30d72259c9c68f8a144636a9da8489f2e539f4d2780cbf49b66f07600006e1fdc2c6a73";
inline constexpr std::string_view kA3Contents =
    "1c8dbc4d5b66d5ca160112a7baedb7253600a950affc7b4a0ad227323728561dcb4c8a5c7d14e8898f0593c984433076";
inline constexpr std::string_view kA3Digest =
    "1c8d222292c1cd4fabdc3af35c11e913c564a097436171bf514bc246977787e1c003edcdac1d2acc4b7bc39ea91534d5";
// The 112 bytes hashed in step A1.
inline constexpr std::string_view kA1PageInfo =
    "0000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000166f9617070665894eb30e3968ee7642"
    "d7fd459089bee2ccae3aa4ae1b658eb53e2780a0b9e10ae5efe7ed112be3bf59"
    "70000100000000000000100000000000";

// SNP, vector B (one step each from 48 zero bytes).
inline constexpr std::string_view kBUnmeasured =
    "08e250a2cfe6ff847aa336e4dfde92a1637ebb17edb17380b41fc3783a428b6923858a17c67f144edcc21a3333c9f371";
inline constexpr std::string_view kBSecrets =
    "e82e99caf82a32c31ec5070eef9e2135866d8f7de60d756814f3bd8c989c1e826622e0a97dad026c6d9d81818780e6a2";
inline constexpr std::string_view kBCpuid =
    "c9e46442d2b4ddb823fa6b4a907930de7e93901180c5a3126ba234193059a0a51a21ba82f05d2fe0f3136f22b1b1a8e4";
inline constexpr std::string_view kBZero =
    "5e86c240b8c4d56eec1c7d8a3be18bdc7c2cadb562d1810b5fdd39fd327c5f4d12fabda73ce2d37b9e0a867f1ec1e5cf";
inline constexpr std::string_view kBNormal =
    "9d13634b6014bb21cf059b2dc694e7bff01a8a7137041100cd2b695f3d10fb687267b97808b27f8f471d943bc6f53a20";

// SNP, vector C (two NORMAL pages from 0x100000: p0, then zeros).
inline constexpr std::string_view kCDigest =
    "6704e5ac39a4107d6457ab51e1f6474cbee2db0e493e1e0a41ae3e646874dc4c058b8819a78c4fb6dd47102eb80415a5";

// TDX: the 128-byte blocks for GPA 0x100000.
inline constexpr std::string_view kPageAddBlock100000 =
    "4d454d2e504147452e41444400000000000010000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000";
inline constexpr std::string_view kMrExtendBlock100000 =
    "4d522e455854454e4400000000000000000010000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000";

// TDX MRTD vectors T0-T5.
inline constexpr std::string_view kT0 =
    "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b";
inline constexpr std::string_view kT1 =
    "8f3e9a8aca6784eab874f7aa4dda5d49104a88047f1f86695ef2a88f5691a90e34aac48ce45ffa1f5a23c7d62980d570";
inline constexpr std::string_view kT2 =
    "30739fc015b6f3734f7684e90531f2d634cff74b38357fd6094b6d8a5c5789241d55fcfc6410d564e659255bc2d89805";
inline constexpr std::string_view kT3 =
    "cf98422a450932eeec23fff0b83aeb2e321d9ca86a51787fb2cb8ffa01b90d5bedc4dfdc424a019e39250cfd60ebf1af";
inline constexpr std::string_view kT4 =
    "79cea5002309804fe7bf146eb70dfee333a0a348413acfd27657716f6f8716f2f95f367d3dcfd4a280e637aa34f50e54";
inline constexpr std::string_view kT5 =
    "ab9e14eabc2ca598ce6360fcd639e351d269b4d3b380242fb821a35b29325ef5cea980cc3a7887e439136653bfbfc7f5";

// RTMR extend vectors R1-R3.
inline constexpr std::string_view kSha384Abc =
    "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7";
inline constexpr std::string_view kR1 =
    "93732e3733514a841c982cfa75ea76ab55fe011acb9cd980ef4523913c65be1b0998e04d77f8c174f81a82151619ca40";
inline constexpr std::string_view kR2 =
    "a4d392030aec0188324dac645cac0391f996c9a913563092cd9d7c55c3d86c0f109053c37d2974da85660814bf359bed";
inline constexpr std::string_view kR3 =
    "f57bb7ed82c6ae4a29e6c9879338c592c7d42a39135583e8ccbe3940f2344b0eb6eb8503db0ffd6a39ddd00cd07d8317";

}  // namespace cw::tee::test
