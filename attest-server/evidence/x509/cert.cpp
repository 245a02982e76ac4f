#include "evidence/x509/cert.h"

#include <openssl/objects.h>
#include <openssl/pem.h>

#include <algorithm>
#include <limits>

#include "base/mapped_file.h"

namespace cw::attest {

namespace {

constexpr std::string_view kPemMarker = "-----BEGIN";

bool contains_pem_marker(std::span<const uint8_t> bytes) {
    std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return text.find(kPemMarker) != std::string_view::npos;
}

Result<BioPtr> memory_bio(std::span<const uint8_t> bytes) {
    if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
        return Error::msg("input too large for a memory BIO");
    BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
    if (!bio)
        return openssl_error("BIO_new_mem_buf");
    return bio;
}

}  // namespace

Result<X509Ptr> parse_cert_der(std::span<const uint8_t> der) {
    if (der.empty() || der.size() > static_cast<size_t>(std::numeric_limits<long>::max()))
        return Error::msg("DER certificate: empty or oversized input");
    const unsigned char* p = der.data();
    X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!cert)
        return openssl_error("DER certificate: not a valid X.509 certificate");
    size_t used = static_cast<size_t>(p - der.data());
    if (used != der.size())
        return Error::msg("DER certificate: " + std::to_string(der.size() - used) + " trailing bytes");
    return cert;
}

Result<std::vector<X509Ptr>> parse_cert_bundle(std::span<const uint8_t> bytes) {
    std::vector<X509Ptr> certs;
    if (!contains_pem_marker(bytes)) {
        certs.push_back(CW_TRY(parse_cert_der(bytes)));
        return certs;
    }
    BioPtr bio = CW_TRY(memory_bio(bytes));
    while (true) {
        X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
        if (!cert)
            break;
        certs.push_back(std::move(cert));
    }
    // PEM_read_bio_X509 ends with "no start line" at end of input: expected, not an error,
    // unless nothing was read at all.
    std::string detail = drain_openssl_errors();
    if (certs.empty())
        return Error::msg("PEM bundle: no certificate found (" + detail + ")");
    return certs;
}

Result<X509Ptr> parse_cert_pem(std::span<const uint8_t> pem) {
    std::vector<X509Ptr> certs = CW_TRY(parse_cert_bundle(pem));
    if (certs.size() != 1)
        return Error::msg("PEM certificate: expected exactly one certificate, found " + std::to_string(certs.size()));
    return std::move(certs.front());
}

Result<X509Ptr> parse_cert(std::span<const uint8_t> bytes) {
    return contains_pem_marker(bytes) ? parse_cert_pem(bytes) : parse_cert_der(bytes);
}

Result<std::vector<uint8_t>> read_file_bytes(const std::string& path, uint64_t max_size) {
    MappedFile file = CW_TRY(MappedFile::open(path, max_size));
    std::span<const uint8_t> bytes = file.bytes();
    return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

Result<X509Ptr> load_cert_file(const std::string& path) {
    std::vector<uint8_t> bytes = CW_TRY(read_file_bytes(path, kMaxCertFileSize));
    return parse_cert(bytes).context(path);
}

Result<std::vector<X509Ptr>> load_cert_bundle_file(const std::string& path) {
    std::vector<uint8_t> bytes = CW_TRY(read_file_bytes(path, kMaxCertFileSize));
    return parse_cert_bundle(bytes).context(path);
}

std::vector<uint8_t> cert_der(const X509* cert) {
    unsigned char* buf = nullptr;
    int len = i2d_X509(cert, &buf);
    if (len <= 0)
        return {};
    std::vector<uint8_t> out(buf, buf + len);
    OPENSSL_free(buf);
    return out;
}

Sha256Digest cert_sha256_fingerprint(const X509* cert) { return sha256(cert_der(cert)); }

std::string subject_cn(const X509* cert) {
    const X509_NAME* name = X509_get_subject_name(cert);
    int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (idx < 0)
        return {};
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)),
                       static_cast<size_t>(std::max(0, ASN1_STRING_length(data))));
}

std::string subject_line(const X509* cert) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio)
        return {};
    X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return len > 0 ? std::string(data, static_cast<size_t>(len)) : std::string();
}

Result<std::optional<std::vector<uint8_t>>> extension_value(const X509* cert, std::string_view oid) {
    Asn1ObjectPtr obj(OBJ_txt2obj(std::string(oid).c_str(), 1));
    if (!obj)
        return openssl_error("extension OID " + std::string(oid) + " is not a dotted OID");
    int idx = X509_get_ext_by_OBJ(cert, obj.get(), -1);
    if (idx < 0)
        return std::optional<std::vector<uint8_t>>();
    if (X509_get_ext_by_OBJ(cert, obj.get(), idx) >= 0)
        return Error::msg("extension " + std::string(oid) + " appears more than once");
    const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(X509_get_ext(cert, idx));
    const unsigned char* data = ASN1_STRING_get0_data(value);
    int len = ASN1_STRING_length(value);
    return std::optional<std::vector<uint8_t>>(std::vector<uint8_t>(data, data + std::max(0, len)));
}

Result<EvpPkeyPtr> cert_public_key(const X509* cert) {
    EVP_PKEY* key = X509_get0_pubkey(cert);
    if (key == nullptr || EVP_PKEY_up_ref(key) != 1)
        return openssl_error("certificate " + subject_line(cert) + ": no usable public key");
    return EvpPkeyPtr(key);
}

}  // namespace cw::attest
