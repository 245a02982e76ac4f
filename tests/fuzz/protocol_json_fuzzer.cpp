// libFuzzer target for the cw-attest/1 bodies (attest-server/protocol/messages.h) and strict
// base64: every body arrives from the network (the server parses requests from anyone, the
// guest parses the server's replies), so no input may crash, hang or read out of bounds.
//
// The first input byte selects the parser; the rest is the body. Mode 7 is base64_decode with
// a limit taken from the second byte. A body that parses must survive to_json -> parse_* with
// the same JSON (the writer and the parser agree), else the fuzzer aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "protocol/base64.h"
#include "protocol/messages.h"

namespace {

using namespace cw::attest::protocol;

template <class Parse>
void round_trip(Parse parse, std::string_view body) {
    auto parsed = parse(body);
    if (!parsed.ok()) {
        (void)is_bad_base64(parsed.error());
        return;
    }
    std::string json = to_json(*parsed);
    auto again = parse(json);
    if (!again.ok() || to_json(*again) != json)
        std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0)
        return 0;
    std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
    switch (data[0] % 8) {
    case 0: round_trip(parse_auth_request, body); break;
    case 1: round_trip(parse_auth_response, body); break;
    case 2: round_trip(parse_attest_request, body); break;
    case 3: round_trip(parse_attest_response, body); break;
    case 4: round_trip(parse_wrapped_key, body); break;
    case 5: round_trip(parse_error_body, body); break;
    case 6: {
        // Decoded bytes must re-encode to exactly the input (one text per byte string).
        auto decoded = base64_decode(body, body.size());
        if (decoded.ok() && base64_encode(*decoded) != body)
            std::abort();
        break;
    }
    default: {
        if (body.empty())
            break;
        size_t limit = static_cast<uint8_t>(body[0]);
        auto decoded = base64_decode(body.substr(1), limit);
        if (decoded.ok() && decoded->size() > limit)
            std::abort();
        break;
    }
    }
    return 0;
}
