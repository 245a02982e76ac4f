// The evidence provider for the plan's TEE, in the shape the protocol client asks for:
// sim -> the VMM's sim report service; snp -> configfs-tsm "sev_guest" (report + the
// certificate table's VCEK/VLEK, ASK, ARK); tdx -> configfs-tsm "tdx_guest" (a quote that
// carries its own PCK chain).
#pragma once

#include <string>

#include "guest-init/guest_plan.h"
#include "protocol/client.h"

namespace cw::guest {

// `tsm_root` is the configfs-tsm report directory (tests point it at a temp dir).
attest::protocol::EvidenceProvider evidence_provider(GuestTee tee, std::string tsm_root = "/sys/kernel/config/tsm/report");

// Converts a configfs-tsm SNP result to protocol evidence (pure; tested on the host).
Result<attest::protocol::Evidence> snp_evidence_from_tsm(std::vector<uint8_t> outblob,
                                                         const std::vector<uint8_t>& auxblob);

}  // namespace cw::guest
