// /entrypoint of the OCI images oci2cw writes (--output-image). The image's root holds an
// encrypted disk and its workload.json, not a root filesystem: run by a plain container
// runtime, there is nothing to execute, so this says how to run it and fails. Built static
// (the image has no libc) and small; embedded into oci2cw at build time (embed_file.py).
#include <unistd.h>

namespace {

constexpr char kMessage[] =
    "cw-entrypoint: this image is a confidential workload (its disk and /workload.json), not a container "
    "root filesystem: run it with `podman run --runtime krun IMAGE` or with cwrun\n";

}  // namespace

int main() {
    // One write of a short line: nothing sensible to do if stderr is closed.
    if (::write(STDERR_FILENO, kMessage, sizeof kMessage - 1) < 0)
        return 1;
    return 1;
}
