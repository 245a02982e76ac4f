// The status guest-init reports on the exit-status port when it fails before or instead of
// the workload (docs/guest-abi.md "guest-init failure statuses"). 240-249 are ours; a
// workload can exit with them too, but the console line "cw-guest-init: <step>: <reason>"
// tells them apart. 126/127 follow the container runtimes for a command that cannot run.
#pragma once

namespace cw::guest {

enum class Step : int {
    Plan = 240,               // no usable workload configuration
    EarlyBoot = 241,          // pseudo filesystems, loopback, hostname
    AttestUnreachable = 242,  // attestation server not reachable after the bounded retries
    AttestRefused = 243,      // refusal, TLS/CA failure, evidence failure
    DiskUnlock = 244,         // LUKS2 header or the secret does not open keyslot 0
    Verity = 245,             // dm-verity setup or root hash mismatch
    MountRoot = 246,          // squashfs, overlay, switch root
    User = 247,               // user/group resolution, argv/env
    Workload = 248,           // the runner itself failed (fork, signals)
    NotExecutable = 126,      // exec failed other than "not found"
    NotFound = 127,           // the command does not exist
};

const char* step_name(Step step);

}  // namespace cw::guest
