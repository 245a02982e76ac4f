// `cw-attest-server serve`: the attestation server (docs/attestation-protocol.md).
//
//   cw-attest-server serve --tls-cert FILE --tls-key FILE --db FILE --master-key FILE
//                          --admin-token-sha256-file FILE [--listen ADDR:PORT] [--threads N]
//                          [--collateral DIR] [--sim-public-key PEM] [--session-ttl SECONDS]
//                          [--verify-at EPOCH]
//
// Prints "listening on ADDR:PORT" on stdout once the socket is bound (port 0 picks a free
// one), serves until SIGINT/SIGTERM. `--sim-public-key` enables simulated evidence and warns
// that it protects nothing. `--verify-at` pins the evidence verification time (tests with
// recorded vectors); it is a testing aid and logs a warning too.
//
// `cw-attest-server hash-token` reads an admin token on stdin and prints the SHA-256 hex the
// server is configured with, so the token itself never has to be stored on the server.
#pragma once

namespace cw::attest::cli {

int serve_main(int argc, char** argv);
int hash_token_main(int argc, char** argv);

}  // namespace cw::attest::cli
