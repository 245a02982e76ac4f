// Disk-key wrapping: round trip, and every way a reply for another key, session or workload,
// or a modified reply, must fail; public points off the curve are refused.
#include <doctest/doctest.h>

#include <vector>

#include "evidence/x509/keys.h"
#include "protocol/key_wrap.h"

namespace cw::attest::protocol {
namespace {

EvpPkeyPtr tee_key() {
    auto key = generate_tee_key();
    REQUIRE(key.ok());
    return std::move(key).value();
}

struct Setup {
    EvpPkeyPtr key = tee_key();
    std::array<uint8_t, kNonceSize> nonce{};
    std::vector<uint8_t> disk_key = std::vector<uint8_t>(64, 0);
    std::string workload = "db-main";
    WrappedKey wrapped;

    Setup() {
        nonce.fill(0x42);
        for (size_t i = 0; i < disk_key.size(); ++i)
            disk_key[i] = static_cast<uint8_t>(i * 7);
        auto w = wrap_key(key.get(), disk_key, context());
        REQUIRE_MESSAGE(w.ok(), w.error().to_string());
        wrapped = std::move(w).value();
    }
    [[nodiscard]] WrapContext context() const { return WrapContext{nonce, workload}; }
};

void check_auth_failure(const Result<std::vector<uint8_t>>& r) {
    REQUIRE_FALSE(r.ok());
    CHECK_MESSAGE(r.error().message().starts_with("disk key: authentication failed"), r.error().message());
}

TEST_CASE("a wrapped key unwraps with the TEE key, nonce and workload") {
    Setup s;
    CHECK(s.wrapped.ciphertext.size() == s.disk_key.size());
    auto key = unwrap_key(s.key.get(), s.wrapped, s.context());
    REQUIRE_MESSAGE(key.ok(), key.error().to_string());
    CHECK(*key == s.disk_key);
}

TEST_CASE("each wrap uses a fresh ephemeral key and IV") {
    Setup s;
    auto again = wrap_key(s.key.get(), s.disk_key, s.context());
    REQUIRE(again.ok());
    CHECK(again->epk != s.wrapped.epk);
    CHECK(again->iv != s.wrapped.iv);
    CHECK(again->ciphertext != s.wrapped.ciphertext);
}

TEST_CASE("unwrap fails for another key, nonce or workload") {
    Setup s;
    EvpPkeyPtr other = tee_key();
    check_auth_failure(unwrap_key(other.get(), s.wrapped, s.context()));
    std::array<uint8_t, kNonceSize> other_nonce = s.nonce;
    other_nonce[0] ^= 1;
    check_auth_failure(unwrap_key(s.key.get(), s.wrapped, WrapContext{other_nonce, s.workload}));
    check_auth_failure(unwrap_key(s.key.get(), s.wrapped, WrapContext{s.nonce, "db-mail"}));
}

TEST_CASE("unwrap fails for a flipped bit anywhere in the reply") {
    Setup s;
    for (size_t i = 0; i < s.wrapped.ciphertext.size(); i += 13) {
        WrappedKey w = s.wrapped;
        w.ciphertext[i] ^= 0x01;
        check_auth_failure(unwrap_key(s.key.get(), w, s.context()));
    }
    for (size_t i = 0; i < s.wrapped.tag.size(); ++i) {
        WrappedKey w = s.wrapped;
        w.tag[i] ^= 0x80;
        check_auth_failure(unwrap_key(s.key.get(), w, s.context()));
    }
    for (size_t i = 0; i < s.wrapped.iv.size(); ++i) {
        WrappedKey w = s.wrapped;
        w.iv[i] ^= 0x02;
        check_auth_failure(unwrap_key(s.key.get(), w, s.context()));
    }
    // A changed epk is either off the curve (refused) or a different shared secret.
    for (size_t i : {size_t{1}, size_t{30}, size_t{48}, size_t{49}, size_t{96}}) {
        WrappedKey w = s.wrapped;
        w.epk[i] ^= 0x01;
        CHECK_FALSE(unwrap_key(s.key.get(), w, s.context()).ok());
    }
    // A valid but different epk: a clean authentication failure.
    WrappedKey swapped = s.wrapped;
    auto other = encode_public_point(tee_key().get());
    REQUIRE(other.ok());
    swapped.epk = *other;
    check_auth_failure(unwrap_key(s.key.get(), swapped, s.context()));
    WrappedKey truncated = s.wrapped;
    truncated.ciphertext.pop_back();
    check_auth_failure(unwrap_key(s.key.get(), truncated, s.context()));
}

TEST_CASE("public points: encode/decode round trip, and refusals") {
    EvpPkeyPtr key = tee_key();
    auto point = encode_public_point(key.get());
    REQUIRE(point.ok());
    CHECK((*point)[0] == 0x04);
    auto decoded = decode_public_point(*point);
    REQUIRE_MESSAGE(decoded.ok(), decoded.error().to_string());
    auto again = encode_public_point(decoded->get());
    REQUIRE(again.ok());
    CHECK(*again == *point);

    std::array<uint8_t, kTeePublicKeySize> off_curve = *point;
    off_curve[96] ^= 0x01;  // Y changed: not on P-384
    auto refused = decode_public_point(off_curve);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message().starts_with("public point: "));

    std::array<uint8_t, kTeePublicKeySize> infinity{};  // all zero: SEC1 infinity is 0x00
    auto inf = decode_public_point(infinity);
    REQUIRE_FALSE(inf.ok());
    CHECK(inf.error().message() == "public point: expected an uncompressed point (prefix 0x04), got prefix 0x0");
    infinity[0] = 0x04;  // (0, 0) is not on P-384 either
    CHECK_FALSE(decode_public_point(infinity).ok());

    std::array<uint8_t, kTeePublicKeySize> compressed = *point;
    compressed[0] = 0x02;
    CHECK_FALSE(decode_public_point(compressed).ok());

    // X and Y equal to the field prime p: out of range even though (p mod p) might be on the curve.
    std::array<uint8_t, kTeePublicKeySize> all_ff{};
    all_ff.fill(0xFF);
    all_ff[0] = 0x04;
    CHECK_FALSE(decode_public_point(all_ff).ok());
}

TEST_CASE("keys that are not P-384 are refused") {
    auto p256 = generate_ec_key(EcCurve::P256);
    REQUIRE(p256.ok());
    CHECK_FALSE(encode_public_point(p256->get()).ok());
    std::array<uint8_t, kNonceSize> nonce{};
    std::vector<uint8_t> disk_key(32, 1);
    CHECK_FALSE(wrap_key(p256->get(), disk_key, WrapContext{nonce, "w"}).ok());
    Setup s;
    CHECK_FALSE(unwrap_key(p256->get(), s.wrapped, s.context()).ok());
    CHECK_FALSE(wrap_key(s.key.get(), std::vector<uint8_t>{}, s.context()).ok());
    CHECK_FALSE(wrap_key(s.key.get(), std::vector<uint8_t>(kMaxWrappedKeyBytes + 1, 1), s.context()).ok());
}

}  // namespace
}  // namespace cw::attest::protocol
