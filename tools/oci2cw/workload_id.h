// The workload id (the attestation server's key for the workload, in workload.json): given
// with --workload-id, or derived from the image reference's file name and tag.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace cw::oci {

// "oci:/images/My App:v1.2" -> "my-app-v1.2"; "docker-archive:/x/redis.tar" -> "redis".
// Lowercased, characters outside [a-z0-9._-] become '-', leading ones that cannot start an
// id dropped, at most 128 characters. An error (asking for --workload-id) when nothing is left.
[[nodiscard]] Result<std::string> default_workload_id(std::string_view reference);

// The protocol's rule (valid_workload_id), as a one-line error naming the option.
[[nodiscard]] Result<void> check_workload_id(std::string_view id);

}  // namespace cw::oci
