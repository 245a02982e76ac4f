// libFuzzer target for the SEV-SNP evidence parsers: report bytes and VCEK/VLEK extensions come
// from the untrusted host or network, so no input may crash, hang or read out of bounds.
//
// The first input byte selects the target; the rest is the payload:
//   mode % 4 == 0  report: parse_snp_report(payload); when it parses, the CHIP_ID and TCB
//                  bindings against a fixed VCEK (go-sev-guest vcek.testcer, embedded below),
//                  TCB decoding for every product, policy evaluation, and the sim verifier.
//   mode % 4 == 1  report overlay: payload[0..2] is an offset into a valid sim report (signed at
//                  start-up with the fuzzer's own key), the rest overwrites it from there; then
//                  as mode 0. Structure-aware: an empty corpus reaches the parsed-report paths
//                  and the signature check on near-valid reports at once.
//   mode % 4 == 2  certificate: the same overlay onto the fixed VCEK's DER (most results still
//                  parse as a certificate, so the AMD extension decoders see mutated values).
//   mode % 4 == 3  hwID: decode_snp_hwid(payload) for the 64- and 8-byte forms.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

#include "evidence/snp/sim_report.h"
#include "evidence/snp/snp_bindings.h"
#include "evidence/snp/snp_cert_ext.h"
#include "evidence/snp/snp_policy.h"
#include "evidence/snp/snp_report.h"
#include "evidence/x509/cert.h"
#include "evidence/x509/keys.h"

namespace {

using namespace cw::attest;

// go-sev-guest verify/testdata/vcek.testcer (Milan-B0), converted to PEM.
constexpr std::string_view kFixedVcekPem =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIFTDCCAvugAwIBAgIBADBGBgkqhkiG9w0BAQowOaAPMA0GCWCGSAFlAwQCAgUA\n"
    "oRwwGgYJKoZIhvcNAQEIMA0GCWCGSAFlAwQCAgUAogMCATCjAwIBATB7MRQwEgYD\n"
    "VQQLDAtFbmdpbmVlcmluZzELMAkGA1UEBhMCVVMxFDASBgNVBAcMC1NhbnRhIENs\n"
    "YXJhMQswCQYDVQQIDAJDQTEfMB0GA1UECgwWQWR2YW5jZWQgTWljcm8gRGV2aWNl\n"
    "czESMBAGA1UEAwwJU0VWLU1pbGFuMB4XDTIyMDkyNDAwNTUyOFoXDTI5MDkyNDAw\n"
    "NTUyOFowejEUMBIGA1UECwwLRW5naW5lZXJpbmcxCzAJBgNVBAYTAlVTMRQwEgYD\n"
    "VQQHDAtTYW50YSBDbGFyYTELMAkGA1UECAwCQ0ExHzAdBgNVBAoMFkFkdmFuY2Vk\n"
    "IE1pY3JvIERldmljZXMxETAPBgNVBAMMCFNFVi1WQ0VLMHYwEAYHKoZIzj0CAQYF\n"
    "K4EEACIDYgAESOyfNi7t7l6hdlk50wrGwFbIIZreccWF0uIfdzzeQw8wsg1quBff\n"
    "jo3h2Fzyk6OFTwhgnX8A9IUszYOIJ3Kr/oL/zHD6imP7lPUyyEDy56g1YHzHJb8S\n"
    "W4hP/skETj75o4IBFjCCARIwEAYJKwYBBAGceAEBBAMCAQAwFwYJKwYBBAGceAEC\n"
    "BAoWCE1pbGFuLUIwMBEGCisGAQQBnHgBAwEEAwIBAjARBgorBgEEAZx4AQMCBAMC\n"
    "AQAwEQYKKwYBBAGceAEDBAQDAgEAMBEGCisGAQQBnHgBAwUEAwIBADARBgorBgEE\n"
    "AZx4AQMGBAMCAQAwEQYKKwYBBAGceAEDBwQDAgEAMBEGCisGAQQBnHgBAwMEAwIB\n"
    "BTARBgorBgEEAZx4AQMIBAMCAUQwTQYJKwYBBAGceAEEBEA6w/4h4T+wmQ6yioAu\n"
    "P7ailIOmsHU1kMlRvdO45TeGGEyjnjWWaaK3ahk2d2tWTqRkzc5AwF9jybYQxQaL\n"
    "AGtdMEYGCSqGSIb3DQEBCjA5oA8wDQYJYIZIAWUDBAICBQChHDAaBgkqhkiG9w0B\n"
    "AQgwDQYJYIZIAWUDBAICBQCiAwIBMKMDAgEBA4ICAQAnOEvE6ryFTfGrmOWcVNjS\n"
    "wNM3H/7r1uDGX7mU5tAREks6LDY0lI0QdaraM2Wj/G5qF3R6ACtM6O8q57A7/ZsL\n"
    "ZdZV5kpQIUvLFV2zo0kRBakDiLdjN9I5XFeOg+BVZj9OcfibMYVrmuSPpwwdR8hR\n"
    "H7sTwriVZzDmPi+C4toC1RMPQFrZUNS/uzfQnw8tnPtyfwbPtmlp0aZHGNSRf2gH\n"
    "RrBVVD2b9prbP66bR17JMNWCz1PXuVGnKtwlTX3hJEeq0HGICgllo8pzSlIkF31v\n"
    "2RZ4Jxb1tP0mRw5aquDuy031nmoNA3NYuny/ji7BtJb8HzxqpxBgn+FDUHyZqjUs\n"
    "xqarvTBgIaK1EEQHINC9HEoqzN8PM7FWXjA01nEyyUpiHhup7eMaOz5nF8LDv5dV\n"
    "fOuYwXSJXfuytIfDOM6tc/mesKy1SlNIEsVy5MQidK0hINIGLbpXRPMzNBECXka6\n"
    "/6vxb3ctLFFpgWHk/MAOo3FQvrA82W96uRD66akGB1RH2XVXVlXoAS/u04PLx+nc\n"
    "eNPTcwc93+IlGKKdBNRk7hPs3bTI2H/oZfY0WyoMYSCH58iDDEd3FxjDJ1dwqVui\n"
    "WZf2rjbv/iMZN2oWHFUkcnELQhTIzSXI8yGdqxBP44GAbjnb53jadZklmAeL4sRj\n"
    "1FDfJiVKYRb60yv4hqUMWw==\n"
    "-----END CERTIFICATE-----\n";

struct Fixture {
    std::vector<uint8_t> vcek_der;
    SnpCertExtensions vcek;
    EvpPkeyPtr sim_key;
    std::vector<uint8_t> sim_report;
};

const Fixture& fixture() {
    static const Fixture f = [] {
        std::span<const uint8_t> pem(reinterpret_cast<const uint8_t*>(kFixedVcekPem.data()), kFixedVcekPem.size());
        auto cert = parse_cert_pem(pem);
        if (!cert.ok())
            std::abort();
        auto ext = parse_snp_cert_extensions(cert->get());
        auto key = generate_ec_key(EcCurve::P384);
        if (!ext.ok() || !key.ok())
            std::abort();
        auto sim = create_sim_report(SimReportInput{}, key->get());
        if (!sim.ok())
            std::abort();
        return Fixture{cert_der(cert->get()), std::move(ext).value(), std::move(key).value(),
                       std::vector<uint8_t>(sim->begin(), sim->end())};
    }();
    return f;
}

void fuzz_report(std::span<const uint8_t> payload) {
    auto report = parse_snp_report(payload);
    if (!report.ok())
        return;
    const Fixture& f = fixture();
    (void)check_snp_chip_id(*report, f.vcek);
    for (SnpProduct product : {SnpProduct::Milan, SnpProduct::Genoa, SnpProduct::Turin, SnpProduct::Unknown}) {
        auto tcb = decode_snp_tcb(report->wire.reported_tcb, product);
        if (tcb.ok())
            (void)check_snp_reported_tcb(tcb.value(), f.vcek, product);
        SnpPolicyRequirements req;
        req.allowed_measurements = {report->wire.measurement};
        req.min_reported_tcb = SnpTcb{.snp = 1};
        (void)evaluate_snp_policy(*report, product, req);
    }
    // Verifies only for overlays that leave the signed region intact (mode 1).
    (void)verify_sim_report(payload, f.sim_key.get());
}

// A copy of `base` with payload[2..] written at offset (payload[0] << 8 | payload[1]) % size.
std::vector<uint8_t> overlay(std::vector<uint8_t> base, std::span<const uint8_t> payload) {
    if (payload.size() < 2)
        return base;
    size_t offset = (size_t{payload[0]} << 8 | payload[1]) % base.size();
    std::span<const uint8_t> patch = payload.subspan(2);
    for (size_t i = 0; i < patch.size() && offset + i < base.size(); ++i)
        base[offset + i] = patch[i];
    return base;
}

void fuzz_certificate(std::span<const uint8_t> payload) {
    std::vector<uint8_t> der = overlay(fixture().vcek_der, payload);
    auto cert = parse_cert_der(der);
    if (cert.ok())
        (void)parse_snp_cert_extensions(cert->get());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0)
        return 0;
    std::span<const uint8_t> payload(data + 1, size - 1);
    switch (data[0] % 4) {
    case 0: fuzz_report(payload); break;
    case 1: fuzz_report(overlay(fixture().sim_report, payload)); break;
    case 2: fuzz_certificate(payload); break;
    default:
        (void)decode_snp_hwid(payload, kSnpHwidSize);
        (void)decode_snp_hwid(payload, kSnpTurinHwidSize);
        break;
    }
    return 0;
}
