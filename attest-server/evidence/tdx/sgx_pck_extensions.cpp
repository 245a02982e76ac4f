#include "evidence/tdx/sgx_pck_extensions.h"

#include <algorithm>
#include <optional>
#include <string>

#include "evidence/tdx/der_reader.h"

namespace cw::attest {

namespace {

namespace der = tdx::der;

// Arcs below the SGX extension OID (single DER bytes, all < 128).
enum Arc : uint8_t { kPpid = 1, kTcb = 2, kPceId = 3, kFmspc = 4, kSgxType = 5 };
constexpr uint8_t kTcbPcesvn = 17;
constexpr uint8_t kTcbCpusvn = 18;

// The arcs after the SGX OID prefix, e.g. {2, 17} for .2.17; nullopt for a foreign OID.
std::optional<std::span<const uint8_t>> sgx_arcs(std::span<const uint8_t> oid) {
    if (oid.size() <= kSgxExtensionOid.size() || !std::equal(kSgxExtensionOid.begin(), kSgxExtensionOid.end(), oid.begin()))
        return std::nullopt;
    return oid.subspan(kSgxExtensionOid.size());
}

// One `SEQUENCE { OID, value }` member: returns its arcs below the SGX OID and its value.
struct Member {
    std::span<const uint8_t> arcs;
    der::Element value;
};

Result<Member> read_member(der::Reader& outer) {
    auto seq = CW_TRY(outer.expect(der::kTagSequence));
    der::Reader in(seq.value);
    auto oid = CW_TRY(in.expect(der::kTagOid));
    auto arcs = sgx_arcs(oid.value);
    if (!arcs)
        return Error::msg("member OID is not under 1.2.840.113741.1.13.1");
    Member member{*arcs, CW_TRY(in.next())};
    if (!in.empty())
        return Error::msg("member has bytes after its value");
    return member;
}

template <size_t N>
Result<void> octets(const der::Element& element, std::array<uint8_t, N>& out, const char* what) {
    if (element.tag != der::kTagOctetString || element.value.size() != N)
        return Error::msg(std::string(what) + " is not an OCTET STRING of " + std::to_string(N) + " bytes");
    std::copy(element.value.begin(), element.value.end(), out.begin());
    return {};
}

Result<void> parse_tcb(std::span<const uint8_t> der_tcb, SgxPckExtensions& out) {
    der::Reader in(der_tcb);
    uint32_t seen = 0;  // bit i set once arc .2.i was read
    while (!in.empty()) {
        auto member = CW_TRY(read_member(in));
        if (member.arcs.size() != 2 || member.arcs[0] != kTcb)
            return Error::msg("TCB member has an unexpected OID");
        const uint8_t arc = member.arcs[1];
        if (arc < 1 || arc > kTcbCpusvn)
            return Error::msg("TCB member .2." + std::to_string(arc) + " is unknown");
        if (seen & (1U << arc))
            return Error::msg("TCB member .2." + std::to_string(arc) + " appears twice");
        seen |= 1U << arc;
        if (arc == kTcbCpusvn)
            CW_TRY(octets(member.value, out.cpusvn, "CPUSVN"));
        else if (arc == kTcbPcesvn)
            out.pcesvn = static_cast<uint16_t>(CW_TRY(der::to_uint(member.value, UINT16_MAX)));
        else
            out.sgx_tcb_components[arc - 1U] = static_cast<uint8_t>(CW_TRY(der::to_uint(member.value, UINT8_MAX)));
    }
    constexpr uint32_t kAll = ((1U << (kTcbCpusvn + 1)) - 1) & ~1U;  // arcs 1..18
    if (seen != kAll)
        return Error::msg("TCB lacks some of the 16 component SVNs, PCESVN or CPUSVN");
    return {};
}

Result<void> parse_top_member(const Member& member, SgxPckExtensions& out, uint32_t& seen) {
    if (member.arcs.size() != 1)
        return Error::msg("top-level member has a nested OID");
    const uint8_t arc = member.arcs[0];
    if (arc < kPpid || arc > kSgxType)
        return {};  // .6 platform instance ID, .7 configuration: not needed for TDX
    if (seen & (1U << arc))
        return Error::msg("member ." + std::to_string(arc) + " appears twice");
    seen |= 1U << arc;
    switch (arc) {
    case kPpid: return octets(member.value, out.ppid, "PPID");
    case kPceId: return octets(member.value, out.pceid, "PCE-ID");
    case kFmspc: return octets(member.value, out.fmspc, "FMSPC");
    case kSgxType:
        out.sgx_type = CW_TRY(der::to_uint(member.value, UINT32_MAX));
        return {};
    case kTcb:
        if (member.value.tag != der::kTagSequence)
            return Error::msg("TCB is not a SEQUENCE");
        return parse_tcb(member.value.value, out);
    default: return {};
    }
}

}  // namespace

Result<SgxPckExtensions> parse_sgx_pck_extensions(std::span<const uint8_t> der_bytes) {
    der::Reader top(der_bytes);
    auto seq = CW_TRY(top.expect(der::kTagSequence).context("SGX extension"));
    if (!top.empty())
        return Error::msg("SGX extension: bytes after the outer SEQUENCE");
    SgxPckExtensions out;
    der::Reader in(seq.value);
    uint32_t seen = 0;
    while (!in.empty()) {
        auto member = CW_TRY(read_member(in).context("SGX extension"));
        CW_TRY(parse_top_member(member, out, seen).context("SGX extension"));
    }
    constexpr uint32_t kAll = (1U << kPpid) | (1U << kTcb) | (1U << kPceId) | (1U << kFmspc) | (1U << kSgxType);
    if (seen != kAll)
        return Error::msg("SGX extension lacks one of PPID, TCB, PCE-ID, FMSPC, SGX type");
    return out;
}

}  // namespace cw::attest
