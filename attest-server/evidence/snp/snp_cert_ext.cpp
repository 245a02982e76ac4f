#include "evidence/snp/snp_cert_ext.h"

#include "evidence/x509/cert.h"

namespace cw::attest {

namespace {

constexpr uint8_t kDerInteger = 0x02;
constexpr uint8_t kDerOctetString = 0x04;
constexpr uint8_t kDerIa5String = 0x16;

// A whole-value DER TLV with the given tag; definite lengths up to 2 length bytes (the values
// here are short). Returns the contents.
Result<std::span<const uint8_t>> der_contents(std::span<const uint8_t> value, uint8_t tag, std::string_view oid) {
    auto fail = [oid](std::string_view why) {
        return Error::msg("certificate extension " + std::string(oid) + ": " + std::string(why));
    };
    if (value.size() < 2 || value[0] != tag)
        return fail("unexpected DER tag");
    size_t header = 2;
    size_t length = value[1];
    if (length == 0x81 || length == 0x82) {
        size_t count = length & 0x7F;
        if (value.size() < 2 + count)
            return fail("truncated DER length");
        length = 0;
        for (size_t i = 0; i < count; ++i)
            length = (length << 8) | value[2 + i];
        header += count;
    } else if (length > 0x7F) {
        return fail("unsupported DER length form");
    }
    if (value.size() - header != length)
        return fail("DER length does not match the extension size");
    return value.subspan(header);
}

Result<uint8_t> decode_spl(std::span<const uint8_t> value, std::string_view oid) {
    bool short_form = value.size() == 3 && value[0] == kDerInteger && value[1] == 1 && value[2] < 0x80;
    bool padded_form = value.size() == 4 && value[0] == kDerInteger && value[1] == 2 && value[2] == 0 && value[3] >= 0x80;
    if (!short_form && !padded_form)
        return Error::msg("certificate extension " + std::string(oid) +
                          ": SPL is not an exact DER INTEGER 0..255 (02 01 xx or 02 02 00 xx)");
    return value.back();
}

Result<std::string> decode_ia5(std::span<const uint8_t> value, std::string_view oid) {
    std::span<const uint8_t> text = CW_TRY(der_contents(value, kDerIa5String, oid));
    for (uint8_t c : text) {
        if (c == 0 || c > 0x7F)
            return Error::msg("certificate extension " + std::string(oid) + ": IA5String holds a non-ASCII or NUL byte");
    }
    return std::string(text.begin(), text.end());
}

Result<uint32_t> decode_small_uint(std::span<const uint8_t> value, std::string_view oid) {
    std::span<const uint8_t> digits = CW_TRY(der_contents(value, kDerInteger, oid));
    if (digits.empty() || digits.size() > 4 || (digits[0] & 0x80) != 0)
        return Error::msg("certificate extension " + std::string(oid) + ": not a small non-negative INTEGER");
    uint32_t out = 0;
    for (uint8_t d : digits)
        out = (out << 8) | d;
    return out;
}

Result<std::optional<uint8_t>> optional_spl(const X509* cert, std::string_view oid) {
    auto value = CW_TRY(extension_value(cert, oid));
    if (!value)
        return std::optional<uint8_t>();
    return std::optional<uint8_t>(CW_TRY(decode_spl(*value, oid)));
}

Result<SnpLeafKind> leaf_kind(const X509* cert) {
    std::string cn = subject_cn(cert);
    if (cn == "SEV-VCEK")
        return SnpLeafKind::Vcek;
    if (cn == "SEV-VLEK")
        return SnpLeafKind::Vlek;
    return Error::msg("certificate CN \"" + cn + "\" is neither SEV-VCEK nor SEV-VLEK");
}

}  // namespace

Result<std::vector<uint8_t>> decode_snp_hwid(std::span<const uint8_t> value, size_t expected_size) {
    if (value.size() == expected_size)
        return std::vector<uint8_t>(value.begin(), value.end());
    if (value.size() == expected_size + 2 && value[0] == kDerOctetString && value[1] == expected_size)
        return std::vector<uint8_t>(value.begin() + 2, value.end());
    return Error::msg("certificate extension " + std::string(kOidHwid) + ": hwID has " + std::to_string(value.size()) +
                      " bytes, expected " + std::to_string(expected_size) + " raw or wrapped in an OCTET STRING");
}

Result<SnpCertExtensions> parse_snp_cert_extensions(const X509* cert) {
    SnpCertExtensions ext;
    ext.kind = CW_TRY(leaf_kind(cert));
    if (auto v = CW_TRY(extension_value(cert, kOidStructVersion)))
        ext.struct_version = CW_TRY(decode_small_uint(*v, kOidStructVersion));
    auto name = CW_TRY(extension_value(cert, kOidProductName));
    if (!name)
        return Error::msg("certificate has no product-name extension " + std::string(kOidProductName));
    ext.product_name = CW_TRY(decode_ia5(*name, kOidProductName));
    ext.product = snp_product_from_cert_name(ext.product_name);
    if (ext.product == SnpProduct::Unknown)
        return Error::msg("certificate product name \"" + ext.product_name + "\" is not Milan, Genoa or Turin");

    ext.bl_spl = CW_TRY(optional_spl(cert, kOidBlSpl));
    ext.tee_spl = CW_TRY(optional_spl(cert, kOidTeeSpl));
    ext.snp_spl = CW_TRY(optional_spl(cert, kOidSnpSpl));
    ext.ucode_spl = CW_TRY(optional_spl(cert, kOidUcodeSpl));
    ext.fmc_spl = CW_TRY(optional_spl(cert, kOidFmcSpl));

    auto hwid = CW_TRY(extension_value(cert, kOidHwid));
    if (ext.kind == SnpLeafKind::Vcek) {
        if (!hwid)
            return Error::msg("VCEK certificate has no hwID extension " + std::string(kOidHwid));
        size_t size = ext.product == SnpProduct::Turin ? kSnpTurinHwidSize : kSnpHwidSize;
        ext.hwid = CW_TRY(decode_snp_hwid(*hwid, size));
    } else if (hwid) {
        return Error::msg("VLEK certificate carries a hwID extension (VLEKs are not chip-specific)");
    }
    if (auto csp = CW_TRY(extension_value(cert, kOidCspId)))
        ext.csp_id = CW_TRY(decode_ia5(*csp, kOidCspId));
    return ext;
}

}  // namespace cw::attest
