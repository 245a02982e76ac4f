#include "evidence/tdx/tdx_quote.h"

#include <algorithm>
#include <cstring>

#include "evidence/tdx/byte_reader.h"

namespace cw::attest {

namespace w = tdx_wire;
using tdx::ByteReader;

namespace {

uint64_t load_le64(const uint8_t (&bytes)[8]) {
    uint64_t value = 0;
    std::memcpy(&value, bytes, sizeof(value));
    return value;
}

std::string num(size_t n) { return std::to_string(n); }

}  // namespace

Result<void> check_tdx_quote_header(const w::QuoteHeader& header) {
    if (header.version != w::kQuoteVersion4 && header.version != w::kQuoteVersion5)
        return Error::msg("unsupported quote version " + num(header.version) + " (expected 4 or 5)");
    if (header.att_key_type != w::kAttKeyTypeEcdsaP256)
        return Error::msg("unsupported attestation key type " + num(header.att_key_type) +
                          " (expected 2, ECDSA P-256)");
    if (header.tee_type != w::kTeeTypeTdx)
        return Error::msg("TEE type " + num(header.tee_type) + " is not TDX (0x81)");
    return {};
}

namespace {

// The body descriptor of v5 (or the implied one of v4), then the body itself.
Result<void> parse_body(ByteReader& in, TdxQuote& quote) {
    quote.body_type = w::kBodyTypeTdx10;
    size_t body_size = sizeof(w::TdReportBody10);
    if (quote.header.version == w::kQuoteVersion5) {
        quote.body_type = CW_TRY(in.read<uint16_t>("v5 body type"));
        const auto declared = CW_TRY(in.read<uint32_t>("v5 body size"));
        if (quote.body_type == w::kBodyTypeTdx15)
            body_size = sizeof(w::TdReportBody15);
        else if (quote.body_type != w::kBodyTypeTdx10)
            return Error::msg("unsupported v5 body type " + num(quote.body_type) + " (expected 2 or 3)");
        if (declared != body_size)
            return Error::msg("v5 body size " + num(declared) + " does not match body type " +
                              num(quote.body_type) + " (expected " + num(body_size) + ")");
    }
    quote.body = CW_TRY(in.read<w::TdReportBody10>("TD report body"));
    if (quote.body_type == w::kBodyTypeTdx15) {
        TdxBody15Extension ext;
        auto svn2 = CW_TRY(in.take(ext.tee_tcb_svn2.size(), "tee_tcb_svn2"));
        auto service = CW_TRY(in.take(ext.mrservicetd.size(), "mrservicetd"));
        std::copy(svn2.begin(), svn2.end(), ext.tee_tcb_svn2.begin());
        std::copy(service.begin(), service.end(), ext.mrservicetd.begin());
        quote.body15 = ext;
    }
    return {};
}

template <size_t N>
void copy_into(std::array<uint8_t, N>& out, std::span<const uint8_t> in) {
    std::copy(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(N), out.begin());
}

// Certification data type 6: QE report, its signature, QE auth data, then type 5 (PEM chain).
// `cert` spans exactly the declared certification-data size.
Result<void> parse_qe_report_cert_data(std::span<const uint8_t> cert, size_t base, TdxQuote& quote) {
    ByteReader in(cert, base);
    auto report = CW_TRY(in.take(sizeof(w::SgxReportBody), "QE report"));
    copy_into(quote.qe_report_bytes, report);
    std::memcpy(&quote.qe_report, report.data(), sizeof(w::SgxReportBody));
    copy_into(quote.qe_report_signature, CW_TRY(in.take(w::kEcdsaSignatureSize, "QE report signature")));
    const auto auth_len = CW_TRY(in.read<uint16_t>("QE auth data length"));
    auto auth = CW_TRY(in.take(auth_len, "QE auth data"));
    quote.qe_auth_data.assign(auth.begin(), auth.end());

    const auto inner_type = CW_TRY(in.read<uint16_t>("inner certification data type"));
    if (inner_type != w::kCertDataPckChainPem)
        return Error::msg("inner certification data type " + num(inner_type) + " is not 5 (PEM PCK chain)");
    const auto inner_size = CW_TRY(in.read<uint32_t>("inner certification data size"));
    if (inner_size != in.remaining())
        return Error::msg("inner certification data size " + num(inner_size) + " does not match the " +
                          num(in.remaining()) + " bytes left in the QE report certification data");
    auto pem = CW_TRY(in.take(inner_size, "PCK certificate chain"));
    // The quoting library NUL-terminates the PEM; a NUL anywhere else is malformed.
    size_t len = pem.size();
    while (len > 0 && pem[len - 1] == 0)
        --len;
    if (std::find(pem.begin(), pem.begin() + static_cast<std::ptrdiff_t>(len), uint8_t{0}) !=
        pem.begin() + static_cast<std::ptrdiff_t>(len))
        return Error::msg("PCK certificate chain contains a NUL byte before its end");
    if (len == 0)
        return Error::msg("PCK certificate chain is empty");
    quote.pck_chain_pem.assign(reinterpret_cast<const char*>(pem.data()), len);
    return {};
}

Result<void> parse_signature_data(std::span<const uint8_t> sig, size_t base, TdxQuote& quote) {
    ByteReader in(sig, base);
    copy_into(quote.signature, CW_TRY(in.take(w::kEcdsaSignatureSize, "quote signature")));
    copy_into(quote.attestation_key, CW_TRY(in.take(w::kEcdsaP256KeySize, "attestation key")));
    const auto cert_type = CW_TRY(in.read<uint16_t>("certification data type"));
    if (cert_type != w::kCertDataQeReport)
        return Error::msg("certification data type " + num(cert_type) + " is not 6 (QE report)");
    const auto cert_size = CW_TRY(in.read<uint32_t>("certification data size"));
    if (cert_size != in.remaining())
        return Error::msg("certification data size " + num(cert_size) + " does not match the " +
                          num(in.remaining()) + " bytes left in the signature data");
    const size_t cert_base = base + in.offset();
    return parse_qe_report_cert_data(CW_TRY(in.take(cert_size, "certification data")), cert_base, quote)
        .context("QE report certification data");
}

}  // namespace

uint64_t TdxQuote::td_attributes() const { return load_le64(body.td_attributes); }
uint64_t TdxQuote::xfam() const { return load_le64(body.xfam); }

Result<TdxQuote> parse_tdx_quote(std::span<const uint8_t> bytes) {
    if (bytes.size() > kMaxTdxQuoteSize)
        return Error::msg("TDX quote of " + num(bytes.size()) + " bytes exceeds the " + num(kMaxTdxQuoteSize) +
                          "-byte limit");
    TdxQuote quote;
    ByteReader in(bytes);
    quote.header = CW_TRY(in.read<w::QuoteHeader>("quote header"));
    CW_TRY(check_tdx_quote_header(quote.header));
    CW_TRY(parse_body(in, quote));
    quote.signed_region.assign(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(in.offset()));

    const auto sig_len = CW_TRY(in.read<uint32_t>("signature data length"));
    const size_t sig_base = in.offset();
    auto sig = CW_TRY(in.take(sig_len, "signature data"));
    CW_TRY(parse_signature_data(sig, sig_base, quote).context("signature data"));

    quote.quote_size = in.offset();
    auto rest = bytes.subspan(in.offset());
    quote.trailing_bytes = rest.size();
    quote.trailing_all_zero = std::all_of(rest.begin(), rest.end(), [](uint8_t b) { return b == 0; });
    return quote;
}

}  // namespace cw::attest
