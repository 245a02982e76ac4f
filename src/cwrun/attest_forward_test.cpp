#include "cwrun/attest_forward.h"

#include <doctest/doctest.h>

namespace cw::cwrun {

TEST_CASE("attestation forward: the vsock forward spec the VMM parses") {
    CHECK(vsock_forward_spec(8443, {"https://attest.example:8443", "attest.example", 8443}) ==
          "8443=attest.example:8443");
    CHECK(vsock_forward_spec(443, {"https://10.0.0.2:9443", "10.0.0.2", 9443}) == "443=10.0.0.2:9443");
    CHECK(vsock_forward_spec(443, {"https://[fd00::2]", "fd00::2", 443}) == "443=[fd00::2]:443");
}

}  // namespace cw::cwrun
