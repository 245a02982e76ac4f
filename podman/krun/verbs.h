// The OCI runtime verbs krun implements, as Podman 4.3 and conmon call them
// (shared/reference/podman-runtime-contract.md sections 3-5).
#pragma once

#include <string>

#include "base/result.h"
#include "oci_cli.h"

namespace cw::krun {

[[nodiscard]] Result<void> create_container(const GlobalOptions& global, const std::string& id,
                                            const CreateOptions& options);
[[nodiscard]] Result<void> start_container(const GlobalOptions& global, const std::string& id);
[[nodiscard]] Result<void> kill_container(const GlobalOptions& global, const std::string& id, int signal);
[[nodiscard]] Result<void> delete_container(const GlobalOptions& global, const std::string& id, bool force);
[[nodiscard]] Result<std::string> container_state(const GlobalOptions& global, const std::string& id);
[[nodiscard]] Result<void> pause_container(const GlobalOptions& global, const std::string& id, bool pause);

}  // namespace cw::krun
