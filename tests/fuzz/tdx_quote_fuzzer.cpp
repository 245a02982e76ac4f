// libFuzzer target for the TDX evidence parsers: quotes come from the guest and collateral
// from files an operator drops in, so neither may crash, hang or read out of bounds.
//
// The first input byte selects the mode (byte % 3), the rest is the payload:
//   0  quote:       parse_tdx_quote; if it parses, the quote's own links (quote signature, QE
//                   report binding), PCK chain PEM extraction and parsing, SGX extension and
//                   QE report signature when the chain parses, and the whole verifier with no
//                   collateral at a fixed time.
//   1  collateral:  split_signed_json for "tcbInfo" and "enclaveIdentity" and the parsers of
//                   the split bodies, plus the body parsers on the whole payload.
//   2  DER:         the PCK certificate SGX extension parser.
// Seeds: the vectors' quotes prefixed with 0x00, the PCS responses prefixed with 0x01.
// Checked beyond "no crash": a parsed quote's lengths add up to at most the input size.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "evidence/tdx/sgx_pck_extensions.h"
#include "evidence/tdx/signed_json.h"
#include "evidence/tdx/tdx_pck.h"
#include "evidence/tdx/tdx_qe_identity.h"
#include "evidence/tdx/tdx_quote.h"
#include "evidence/tdx/tdx_quote_crypto.h"
#include "evidence/tdx/tdx_tcb_info.h"
#include "evidence/tdx/tdx_verify.h"

namespace {

using namespace cw::attest;

constexpr int64_t kFixedTime = 1687219200;  // vectors/README.md: the TDX collateral instant

void fuzz_quote(std::span<const uint8_t> bytes) {
    auto quote = parse_tdx_quote(bytes);
    if (!quote.ok())
        return;
    if (quote->quote_size + quote->trailing_bytes != bytes.size() || quote->signed_region.size() > quote->quote_size)
        std::abort();
    (void)verify_quote_signature(*quote).ok();
    (void)check_qe_report_binding(*quote).ok();
    auto chain = parse_pck_chain(quote->pck_chain_pem);
    if (chain.ok()) {
        (void)pck_leaf_extensions(chain->leaf()).ok();
        (void)verify_qe_report_signature(*quote, chain->leaf()).ok();
    }
    TdxVerdict verdict = verify_tdx_quote(bytes, TdxCollateral{}, TdxVerifyOptions{kFixedTime});
    if (verdict.ok())  // no collateral given: acceptance would be a verifier bug
        std::abort();
    (void)tdx_verdict_to_json(verdict).dump();
}

void fuzz_collateral(std::span<const uint8_t> bytes) {
    std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (auto tcb = split_signed_json(text, "tcbInfo"); tcb.ok())
        (void)parse_tcb_info(tcb->body).ok();
    if (auto qe = split_signed_json(text, "enclaveIdentity"); qe.ok())
        (void)parse_qe_identity(qe->body).ok();
    (void)parse_tcb_info(text).ok();
    (void)parse_qe_identity(text).ok();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0)
        return 0;
    std::span<const uint8_t> payload(data + 1, size - 1);
    switch (data[0] % 3) {
    case 0: fuzz_quote(payload); break;
    case 1: fuzz_collateral(payload); break;
    default: (void)parse_sgx_pck_extensions(payload).ok(); break;
    }
    return 0;
}
