#include "evidence/x509/chain.h"

#include <openssl/pem.h>

#include <limits>
#include <string_view>

#include "evidence/x509/cert.h"

namespace cw::attest {

namespace {

ChainResult setup_failure(std::string_view step) {
    return ChainResult::failure(X509_V_ERR_UNSPECIFIED, -1, openssl_error(std::string("certificate chain: ") + std::string(step)));
}

unsigned long verify_flags(const ChainOptions& options) {
    unsigned long flags = 0;
    if (options.x509_strict)
        flags |= X509_V_FLAG_X509_STRICT;
    if (options.check_root_signature)
        flags |= X509_V_FLAG_CHECK_SS_SIGNATURE;
    if (!options.crls.empty())
        flags |= X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
    return flags;
}

}  // namespace

ChainResult verify_chain(X509* leaf, std::span<X509* const> untrusted, std::span<X509* const> trusted,
                         const ChainOptions& options) {
    if (leaf == nullptr || trusted.empty())
        return ChainResult::failure(X509_V_ERR_UNSPECIFIED, -1, Error::msg("certificate chain: no leaf or no trust anchor given"));
    X509StorePtr store(X509_STORE_new());
    if (!store)
        return setup_failure("X509_STORE_new");
    for (X509* root : trusted) {
        if (X509_STORE_add_cert(store.get(), root) != 1)
            return setup_failure("adding trust anchor");
    }
    for (X509_CRL* crl : options.crls) {
        if (X509_STORE_add_crl(store.get(), crl) != 1)
            return setup_failure("adding CRL");
    }
    X509StackPtr chain(sk_X509_new_null());
    if (!chain)
        return setup_failure("sk_X509_new_null");
    for (X509* cert : untrusted) {
        if (sk_X509_push(chain.get(), cert) <= 0)
            return setup_failure("sk_X509_push");
    }
    X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), leaf, chain.get()) != 1)
        return setup_failure("X509_STORE_CTX_init");
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    X509_VERIFY_PARAM_set_flags(param, verify_flags(options));
    if (options.at_time)
        X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(*options.at_time));

    int rc = X509_verify_cert(ctx.get());
    int err = X509_STORE_CTX_get_error(ctx.get());
    if (rc == 1 && err == X509_V_OK) {
        drain_openssl_errors();
        return ChainResult::success();
    }
    if (err == X509_V_OK)
        err = X509_V_ERR_UNSPECIFIED;
    int depth = X509_STORE_CTX_get_error_depth(ctx.get());
    X509* failing = X509_STORE_CTX_get_current_cert(ctx.get());
    std::string message = "certificate chain: OpenSSL verify error " + std::to_string(err) + " (" +
                          X509_verify_cert_error_string(err) + ") at depth " + std::to_string(depth);
    if (failing != nullptr)
        message += " (" + subject_line(failing) + ")";
    drain_openssl_errors();
    return ChainResult::failure(err, depth, Error::msg(std::move(message)));
}

Result<X509CrlPtr> parse_crl(std::span<const uint8_t> bytes) {
    if (bytes.empty() || bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
        return Error::msg("CRL: empty or oversized input");
    std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    if (text.find("-----BEGIN") != std::string_view::npos) {
        BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
        X509CrlPtr crl(bio ? PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr) : nullptr);
        if (!crl)
            return openssl_error("PEM CRL: not a valid CRL");
        return crl;
    }
    const unsigned char* p = bytes.data();
    X509CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(bytes.size())));
    if (!crl)
        return openssl_error("DER CRL: not a valid CRL");
    if (static_cast<size_t>(p - bytes.data()) != bytes.size())
        return Error::msg("DER CRL: trailing bytes");
    return crl;
}

Result<X509CrlPtr> load_crl_file(const std::string& path) {
    std::vector<uint8_t> bytes = CW_TRY(read_file_bytes(path, kMaxCertFileSize));
    return parse_crl(bytes).context(path);
}

Result<void> verify_crl_signature(X509_CRL* crl, X509* issuer) {
    EVP_PKEY* key = X509_get0_pubkey(issuer);
    if (key == nullptr)
        return openssl_error("CRL issuer has no usable public key");
    if (X509_CRL_verify(crl, key) != 1)
        return openssl_error("CRL signature does not verify with " + subject_line(issuer));
    return {};
}

}  // namespace cw::attest
