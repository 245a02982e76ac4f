// The AMD Root Keys (ARK) this verifier trusts, pinned by SHA-256 of their DER encoding.
//
// Trust: these constants are the whole root of trust for SEV-SNP evidence. An ARK presented
// with the evidence (or read from a collateral directory) is used only if its fingerprint is
// in this table; the files under shared/vectors are test inputs, never the source of trust.
// Values: identical in go-sev-guest, virtee/sev and trustee (vectors/README.md "Pinned roots").
#pragma once

#include <span>
#include <string_view>

#include "evidence/snp/snp_tcb.h"
#include "evidence/x509/openssl_ptr.h"

namespace cw::attest {

struct SnpPinnedArk {
    SnpProduct product;
    std::string_view common_name;
    std::string_view sha256_hex;  // uppercase
};

std::span<const SnpPinnedArk> snp_pinned_arks();

// The product whose pinned ARK is exactly this certificate; Unknown when it is not pinned.
SnpProduct snp_pinned_ark_product(const X509* ark);

}  // namespace cw::attest
