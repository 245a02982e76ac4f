#include "evidence/tdx/tdx_pck.h"

#include <algorithm>
#include <string>

#include "evidence/x509/cert.h"
#include "evidence/x509/digest.h"

namespace cw::attest {

namespace {

// "1.2.840.113741.1.13.1", the dotted form of kSgxExtensionOid.
constexpr std::string_view kSgxExtensionOidText = "1.2.840.113741.1.13.1";

Result<IntelChain> parse_chain(std::string_view pem, std::span<const std::string_view> leaf_cns,
                               std::span<const std::string_view> intermediate_cns) {
    const bool with_intermediate = !intermediate_cns.empty();
    const size_t expected = with_intermediate ? 3 : 2;
    std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(pem.data()), pem.size());
    IntelChain chain{CW_TRY(parse_cert_bundle(bytes))};
    if (chain.certs.size() != expected)
        return Error::msg("expected " + std::to_string(expected) + " certificates, found " +
                          std::to_string(chain.certs.size()));
    auto cn_is = [](const X509* cert, std::span<const std::string_view> names) {
        const std::string cn = subject_cn(cert);
        return std::find(names.begin(), names.end(), cn) != names.end();
    };
    if (!cn_is(chain.leaf(), leaf_cns))
        return Error::msg("first certificate is \"" + subject_cn(chain.leaf()) + "\", expected \"" +
                          std::string(leaf_cns.front()) + "\"");
    if (with_intermediate && !cn_is(chain.certs[1].get(), intermediate_cns))
        return Error::msg("second certificate is \"" + subject_cn(chain.certs[1].get()) +
                          "\", expected an Intel SGX PCK Platform or Processor CA");
    const Sha256Digest fingerprint = cert_sha256_fingerprint(chain.root());
    if (fingerprint != kIntelSgxRootCaSha256)
        return Error::msg("root certificate \"" + subject_cn(chain.root()) + "\" with SHA-256 " +
                          to_hex_upper(fingerprint) + " is not the pinned Intel SGX Root CA");
    return chain;
}

}  // namespace

Result<IntelChain> parse_pck_chain(std::string_view pem) {
    constexpr std::string_view kLeaf[] = {kPckLeafCn};
    constexpr std::string_view kIntermediates[] = {kPckPlatformCaCn, kPckProcessorCaCn};
    return parse_chain(pem, kLeaf, kIntermediates).context("PCK certificate chain");
}

Result<IntelChain> parse_tcb_signing_chain(std::string_view pem) {
    constexpr std::string_view kLeaf[] = {kTcbSigningCn};
    return parse_chain(pem, kLeaf, {}).context("TCB signing chain");
}

ChainResult verify_intel_chain(const IntelChain& chain, std::span<X509_CRL* const> crls,
                               std::optional<int64_t> at_time) {
    std::vector<X509*> untrusted;
    for (size_t i = 1; i + 1 < chain.certs.size(); ++i)
        untrusted.push_back(chain.certs[i].get());
    X509* anchors[] = {chain.root()};
    ChainOptions options;
    options.at_time = at_time;
    options.x509_strict = true;  // Intel chains carry AKIs and pass strict mode
    options.check_root_signature = true;
    options.crls = crls;
    return verify_chain(chain.leaf(), untrusted, anchors, options);
}

Result<SgxPckExtensions> pck_leaf_extensions(const X509* leaf) {
    auto value = CW_TRY(extension_value(leaf, kSgxExtensionOidText));
    if (!value)
        return Error::msg("PCK certificate has no SGX extension (" + std::string(kSgxExtensionOidText) + ")");
    return parse_sgx_pck_extensions(*value);
}

}  // namespace cw::attest
