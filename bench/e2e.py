#!/usr/bin/env python3
"""bench/e2e's measurement (run it through bench/e2e). usage: e2e.py BUILD KERNEL_DIR RUNS"""
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

BUILD, KERNEL_DIR, RUNS = sys.argv[1], sys.argv[2], int(sys.argv[3])
SOURCE = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(SOURCE, "tests", "lib"))
import attest_fixture  # noqa: E402
import workload_image  # noqa: E402

KERNEL = f"{KERNEL_DIR}/vmlinux"
INITRD = f"{BUILD}/src/guest-init/guest-initramfs.cpio"


def timed_run(args):
    """(seconds to the 'ready' line, seconds to exit) of one cwrun."""
    start = time.monotonic()
    proc = subprocess.Popen([f"{BUILD}/src/cwrun/cwrun", "--kernel", KERNEL, "--initrd", INITRD, *args],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = None
    for line in proc.stdout:
        if first is None and line.strip() == b"ready":
            first = time.monotonic() - start
    err = proc.stderr.read()
    rc = proc.wait(300)
    total = time.monotonic() - start
    if rc != 0 or first is None:
        sys.exit(f"bench/e2e: cwrun {' '.join(args)} exited {rc} without the workload's output: {err.decode()[-600:]}")
    return first, total


def main():
    tmp = tempfile.mkdtemp(prefix="cw-bench-e2e-")
    server = None
    try:
        workload_image.make_busybox_image(f"{tmp}/image", ["/bin/sh", "-c", "echo ready"])
        srv = f"{tmp}/server"
        os.makedirs(srv)
        server, port, _ = attest_fixture.start_server(f"{BUILD}/attest-server/cli/cw-attest-server", srv)
        oci2cw = f"{BUILD}/tools/oci2cw/oci2cw"
        subprocess.run([oci2cw, f"oci:{tmp}/image", "--output", f"{tmp}/sim", "--workload-id", "bench", "--tee", "sim",
                        "--attest-url", f"https://127.0.0.1:{port}", "--attest-ca", f"{srv}/ca.pem", "--kernel", KERNEL,
                        "--initrd", INITRD, "--register", "--admin-token-file", f"{srv}/admin.token"],
                       check=True, capture_output=True)
        subprocess.run([oci2cw, f"oci:{tmp}/image", "--output", f"{tmp}/none", "--tee", "none"], check=True,
                       capture_output=True)
        results = {"sim": [], "none": []}
        for i in range(RUNS):
            print(f"bench/e2e: run {i + 1}/{RUNS}", file=sys.stderr)
            results["sim"].append(timed_run(["--sim-key", f"{srv}/sim.key", f"{tmp}/sim"]))
            results["none"].append(timed_run([f"{tmp}/none"]))
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(30)
        shutil.rmtree(tmp, ignore_errors=True)

    def med(kind, idx):
        return statistics.median(r[idx] for r in results[kind])

    print(f"bench/e2e: {RUNS} runs each, interleaved; medians; workload `sh -c 'echo ready'`, 256 MiB, 1 vCPU")
    print(f"{'':24}{'first output':>14}{'exit':>10}")
    for kind, label in (("sim", "--tee sim (attested)"), ("none", "--tee none")):
        print(f"{label:24}{med(kind, 0):13.2f}s{med(kind, 1):9.2f}s")
    ratios = [s[1] / n[1] for s, n in zip(results["sim"], results["none"])]
    print(f"attestation costs {med('sim', 0) - med('none', 0):+.2f} s to first output; "
          f"exit-time ratio sim/none {statistics.median(ratios):.2f} (median of per-run ratios)")


if __name__ == "__main__":
    main()
