// `verify --tee snp` and `--tee sim`: loading the report and certificates, the SNP verifier or
// the sim check, the command's fixed policy (DEBUG, --vmpl) and the JSON verdict.
#include <algorithm>
#include <array>

#include "cli/input_files.h"
#include "cli/verify_command.h"
#include "collateral/collateral_files.h"
#include "collateral/snp_chain_select.h"
#include "collateral/snp_collateral.h"
#include "evidence/snp/sim_report.h"
#include "evidence/snp/snp_policy.h"
#include "evidence/snp/snp_verify.h"
#include "evidence/x509/cert.h"
#include "evidence/x509/keys.h"

namespace cw::attest::cli {

using collateral::CollateralDir;
using collateral::SelectedSnpChain;
using collateral::SnpCertCandidate;

namespace {

constexpr const char* kSimWarning =
    "sim evidence protects nothing: the VMM host holds the signing key and can forge any report, "
    "and guest memory is not encrypted";

nlohmann::json tcb_json(uint64_t raw, SnpProduct product) {
    nlohmann::json j = {{"raw", hex_u64(raw)}};
    auto tcb = decode_snp_tcb(raw, product);
    if (!tcb.ok())
        return j;
    j["bootloader"] = tcb->boot_loader;
    j["tee"] = tcb->tee;
    j["snp"] = tcb->snp;
    j["microcode"] = tcb->microcode;
    if (product == SnpProduct::Turin)
        j["fmc"] = tcb->fmc;
    return j;
}

// The report fields (trust them only when "verified" is true).
void put_report_fields(nlohmann::json& j, const SnpReport& r, SnpProduct product) {
    const SnpReportWire& w = r.wire;
    j["tcb"] = {{"product", snp_product_name(product)},
                {"reported", tcb_json(w.reported_tcb, product)},
                {"current", tcb_json(w.current_tcb, product)},
                {"committed", tcb_json(w.committed_tcb, product)},
                {"launch", tcb_json(w.launch_tcb, product)},
                {"firmware", std::to_string(w.current_major) + "." + std::to_string(w.current_minor) + "." +
                                 std::to_string(w.current_build)}};
    j["measurement"] = to_hex_lower(w.measurement);
    j["report_data"] = to_hex_lower(w.report_data);
    j["host_data"] = to_hex_lower(w.host_data);
    j["chip_id"] = to_hex_lower(w.chip_id);
    j["policy"] = {{"raw", hex_u64(r.policy.raw)},
                   {"debug", r.policy.debug},
                   {"migrate_ma", r.policy.migrate_ma},
                   {"smt", r.policy.smt},
                   {"single_socket", r.policy.single_socket},
                   {"abi", std::to_string(r.policy.abi_major) + "." + std::to_string(r.policy.abi_minor)},
                   {"vmpl", w.vmpl},
                   {"guest_svn", w.guest_svn},
                   {"version", w.version},
                   {"signing_key", r.signing_key == SnpSigningKey::Vlek   ? "vlek"
                                   : r.signing_key == SnpSigningKey::Vcek ? "vcek"
                                                                          : "none"},
                   {"family_id", to_hex_lower(w.family_id)},
                   {"image_id", to_hex_lower(w.image_id)},
                   {"id_key_digest", to_hex_lower(w.id_key_digest)},
                   {"author_key_digest", to_hex_lower(w.author_key_digest)},
                   {"platform_info", hex_u64(w.platform_info)}};
}

struct PolicyResult {
    SnpPolicyReason reason = SnpPolicyReason::Ok;
    std::string message;
};

// The command's fixed policy; measurements are reported, not judged (verify_command.h).
PolicyResult check_policy(const SnpReport& r, const VerifyRequest& req, VerifyOutcome& out) {
    if (r.policy.debug) {
        if (!req.allow_debug)
            return {SnpPolicyReason::DebugNotAllowed,
                    "guest POLICY.DEBUG is set: the host can read and change guest memory (--allow-debug to accept)"};
        out.warnings.emplace_back("accepting a debuggable guest (--allow-debug): the host can read its memory");
    }
    if (req.vmpl && r.wire.vmpl != *req.vmpl)
        return {SnpPolicyReason::VmplMismatch,
                "report VMPL " + std::to_string(r.wire.vmpl) + ", --vmpl requires " + std::to_string(*req.vmpl)};
    return {};
}

void finish_with_policy(VerifyOutcome& out, const SnpReport& report, const VerifyRequest& req) {
    PolicyResult policy = check_policy(report, req, out);
    out.verdict["checks"]["policy"] = policy.reason == SnpPolicyReason::Ok ? "passed" : "failed";
    if (policy.reason != SnpPolicyReason::Ok) {
        out.verdict["verified"] = false;
        out.verdict["reason"] = snp_policy_reason_code(policy.reason);
        out.verdict["message"] = policy.message;
        out.exit_code = kExitRejected;
        return;
    }
    out.verdict["verified"] = true;
    out.exit_code = kExitVerified;
}

nlohmann::json snp_checks_json(const SnpChecks& c) {
    return {{"report_format", check_state_name(c.report_format)},
            {"root_pinned", check_state_name(c.root_pinned)},
            {"chain", check_state_name(c.chain)},
            {"leaf_kind", check_state_name(c.leaf_kind)},
            {"product", check_state_name(c.product)},
            {"signature", check_state_name(c.signature)},
            {"chip_id", check_state_name(c.chip_id)},
            {"reported_tcb", check_state_name(c.reported_tcb)},
            {"policy", "not_run"}};
}

// The --cert files and the collateral directory's certificates and ARK-issued CRLs.
struct SnpInputs {
    std::vector<std::vector<X509Ptr>> cert_files;  // owners of the pool's certificates
    std::vector<SnpCertCandidate> pool;
    CollateralDir dir;
    std::vector<X509_CRL*> crls;
    std::vector<std::string> crl_sources;
};

// nullopt on success; else the outcome to return (unreadable: exit 2, garbage: exit 1).
std::optional<VerifyOutcome> load_snp_inputs(const VerifyRequest& req, SnpInputs& in) {
    for (const auto& path : req.certs) {
        auto bytes = read_file_bytes(path, kMaxCertFileSize);
        if (!bytes.ok())
            return unreadable_input(req, "--cert " + bytes.error().to_string());
        auto certs = parse_cert_bundle(*bytes);
        if (!certs.ok()) {
            VerifyOutcome out = unreadable_input(req, "--cert " + path + ": " + certs.error().to_string());
            out.verdict["reason"] = "malformed_certificate";
            out.exit_code = kExitRejected;
            out.error.clear();
            return out;
        }
        in.cert_files.push_back(std::move(certs).value());
        for (const auto& cert : in.cert_files.back())
            in.pool.push_back({cert.get(), path});
    }
    if (req.collateral_dir) {
        auto dir = collateral::scan_collateral_dir(*req.collateral_dir);
        if (!dir.ok())
            return unreadable_input(req, "--collateral " + dir.error().to_string());
        in.dir = std::move(dir).value();
        collateral::SnpCollateral snp = collateral::snp_collateral_from(in.dir, in.dir.ignored);
        in.pool.insert(in.pool.end(), snp.certs.begin(), snp.certs.end());
        in.crls = std::move(snp.crls);
        in.crl_sources = std::move(snp.crl_sources);
    }
    return std::nullopt;
}

}  // namespace

VerifyOutcome run_verify_snp(const VerifyRequest& req) {
    auto bytes = read_input_file(req.evidence, kMaxEvidenceSize);
    if (!bytes.ok())
        return unreadable_input(req, "--evidence " + bytes.error().to_string());
    SnpInputs in;
    if (auto failed = load_snp_inputs(req, in))
        return std::move(*failed);

    std::optional<SnpReport> parsed;
    if (auto report = parse_snp_report(*bytes); report.ok())
        parsed = std::move(report).value();
    SelectedSnpChain selected = collateral::select_snp_chain(in.pool, parsed);
    SnpVerifyOptions options{.at_time = req.at, .crls = in.crls};
    SnpVerdict v = verify_snp_report(*bytes, selected.chain, options);

    VerifyOutcome out;
    out.verdict = {{"tee", "snp"},
                   {"verified", false},
                   {"reason", snp_reason_code(v.reason)},
                   {"message", v.message},
                   {"checks", snp_checks_json(v.checks)},
                   {"at", req.at},
                   {"certificates",
                    {{"ark", selected.ark_source},
                     {"intermediate", selected.intermediate_source},
                     {"leaf", selected.leaf_source},
                     {"crls", in.crl_sources}}}};
    if (v.x509_error != 0)
        out.verdict["x509_error"] = v.x509_error;
    if (!in.dir.ignored.empty())
        out.verdict["collateral_ignored"] = in.dir.ignored;
    if (v.report)
        put_report_fields(out.verdict, *v.report, v.product);
    if (v.leaf)
        out.verdict["leaf"] = {{"kind", v.leaf->kind == SnpLeafKind::Vlek ? "vlek" : "vcek"},
                               {"product_name", v.leaf->product_name},
                               {"hwid", to_hex_lower(v.leaf->hwid)},
                               {"csp_id", v.leaf->csp_id}};
    if (!v.ok()) {
        out.exit_code = kExitRejected;
        return out;
    }
    finish_with_policy(out, *v.report, req);
    return out;
}

VerifyOutcome run_verify_sim(const VerifyRequest& req) {
    auto key_bytes = read_file_bytes(*req.sim_key, kMaxCertFileSize);
    if (!key_bytes.ok())
        return unreadable_input(req, "--sim-key " + key_bytes.error().to_string());
    auto key = parse_public_key_pem(*key_bytes);
    if (!key.ok())
        return unreadable_input(req, "--sim-key " + *req.sim_key + ": " + key.error().to_string());
    auto bytes = read_input_file(req.evidence, kMaxEvidenceSize);
    if (!bytes.ok())
        return unreadable_input(req, "--evidence " + bytes.error().to_string());

    VerifyOutcome out;
    out.warnings.emplace_back(kSimWarning);
    out.verdict = {{"tee", "sim"},  {"verified", false}, {"reason", "ok"}, {"message", ""},
                   {"warning", kSimWarning}, {"at", req.at},
                   {"checks", {{"report_format", "not_run"}, {"sim_marker", "not_run"}, {"signature", "not_run"},
                               {"policy", "not_run"}}}};
    out.exit_code = kExitRejected;
    auto& checks = out.verdict["checks"];

    auto parsed = parse_snp_report(*bytes);
    if (!parsed.ok()) {
        checks["report_format"] = "failed";
        out.verdict["reason"] = "malformed_report";
        out.verdict["message"] = parsed.error().to_string();
        return out;
    }
    checks["report_format"] = "passed";
    put_report_fields(out.verdict, *parsed, SnpProduct::Unknown);
    if (!has_sim_marker(*parsed)) {
        checks["sim_marker"] = "failed";
        out.verdict["reason"] = "not_sim_evidence";
        out.verdict["message"] = "CHIP_ID does not carry the simulated-TEE marker or SIGNING_KEY is not 0 (hardware evidence: use --tee snp)";
        return out;
    }
    checks["sim_marker"] = "passed";
    auto verified = verify_sim_report(*bytes, key->get());
    if (!verified.ok()) {
        checks["signature"] = "failed";
        out.verdict["reason"] = "signature_invalid";
        out.verdict["message"] = verified.error().to_string();
        return out;
    }
    checks["signature"] = "passed";
    finish_with_policy(out, *verified, req);
    return out;
}

}  // namespace cw::attest::cli
