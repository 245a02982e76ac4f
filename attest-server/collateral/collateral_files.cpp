#include "collateral/collateral_files.h"

#include <openssl/pem.h>

#include <algorithm>
#include <filesystem>
#include <string_view>

#include "evidence/x509/cert.h"

namespace cw::attest::collateral {

namespace {

bool contains(std::span<const uint8_t> bytes, std::string_view needle) {
    std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return text.find(needle) != std::string_view::npos;
}

bool looks_like_json(std::span<const uint8_t> bytes) {
    auto first = std::find_if(bytes.begin(), bytes.end(), [](uint8_t c) { return c != ' ' && c != '\n' && c != '\r' && c != '\t'; });
    return first != bytes.end() && *first == '{';
}

}  // namespace

Result<X509CrlPtr> parse_crl(std::span<const uint8_t> bytes) {
    if (bytes.size() > static_cast<size_t>(INT32_MAX))
        return Error::msg("CRL too large");
    if (contains(bytes, "-----BEGIN X509 CRL-----")) {
        BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
        if (!bio)
            return openssl_error("BIO_new_mem_buf");
        X509CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
        if (!crl)
            return openssl_error("PEM CRL");
        return crl;
    }
    const uint8_t* p = bytes.data();
    X509CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(bytes.size())));
    if (!crl)
        return openssl_error("DER CRL");
    if (p != bytes.data() + bytes.size())
        return Error::msg("DER CRL: trailing bytes");
    return crl;
}

std::string crl_issuer_cn(const X509_CRL* crl) {
    const X509_NAME* issuer = X509_CRL_get_issuer(crl);
    int index = X509_NAME_get_index_by_NID(issuer, NID_commonName, -1);
    if (index < 0)
        return "";
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(issuer, index));
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(data)), static_cast<size_t>(ASN1_STRING_length(data)));
}

Result<CollateralFile> classify_collateral(std::string path, std::vector<uint8_t> bytes) {
    CollateralFile file;
    file.path = std::move(path);
    if (contains(bytes, "-----BEGIN CERTIFICATE-----")) {
        file.kind = CollateralKind::Certificates;
        file.certs = CW_TRY(parse_cert_bundle(bytes).context("PEM certificates"));
    } else if (contains(bytes, "-----BEGIN X509 CRL-----")) {
        file.kind = CollateralKind::Crl;
        file.crl = CW_TRY(parse_crl(bytes));
    } else if (looks_like_json(bytes)) {
        file.kind = CollateralKind::Json;
    } else if (auto cert = parse_cert_der(bytes); cert.ok()) {
        file.kind = CollateralKind::Certificates;
        file.certs.push_back(std::move(cert).value());
    } else if (auto crl = parse_crl(bytes); crl.ok()) {
        file.kind = CollateralKind::Crl;
        file.crl = std::move(crl).value();
    } else {
        drain_openssl_errors();
        return Error::msg("not a certificate, CRL or JSON document");
    }
    file.bytes = std::move(bytes);
    return file;
}

Result<CollateralDir> scan_collateral_dir(const std::string& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return Error::msg(dir + ": not a directory");
    std::vector<fs::path> paths;
    fs::directory_iterator it(dir, ec);
    if (ec)
        return Error::msg(dir + ": " + ec.message());
    for (; it != fs::directory_iterator(); it.increment(ec)) {
        if (ec)
            return Error::msg(dir + ": " + ec.message());
        if (!it->is_regular_file(ec))
            continue;
        if (paths.size() == kMaxCollateralFiles)
            return Error::msg(dir + ": more than " + std::to_string(kMaxCollateralFiles) + " files");
        paths.push_back(it->path());
    }
    std::sort(paths.begin(), paths.end());

    CollateralDir out;
    for (const auto& p : paths) {
        auto bytes = read_file_bytes(p.string(), kMaxCollateralFileSize);
        if (!bytes.ok()) {
            out.ignored.push_back(bytes.error().to_string());
            continue;
        }
        auto file = classify_collateral(p.string(), std::move(bytes).value());
        if (!file.ok()) {
            out.ignored.push_back(p.string() + ": " + file.error().to_string());
            continue;
        }
        out.files.push_back(std::move(file).value());
    }
    return out;
}

}  // namespace cw::attest::collateral
