#!/usr/bin/env python3
"""The confidential workload end to end (issue 8), in a real KVM (tests/kvmhost/run):
an image converted by oci2cw boots under cwrun with the project's kernel and guest-init,
attests to a real cw-attest-server over TLS through the vsock forward, receives its disk key,
unlocks (dm-crypt) and verifies (dm-verity) its disk and runs the entrypoint.

usage: e2e-test.py BUILD_DIR KERNEL_DIR

Cases (each boots a guest):
  sim             the workload prints its arguments, user and environment and exits 7
  none            the same image converted with --tee none runs without a server
  none-image      the same --tee none workload from oci2cw's --output-image oci-archive: exit 7
  other-disk      another workload's disk under this workload's configuration: 244, disk unlock
  cmdline         `cwrun DIR -- ARGS` changes the measured command line: 243, refused
  config          a workload.json edited after registration (HOST_DATA and measurement): 243
  revoked         the workload deleted at the server: 243, unknown_workload
  server-down     nothing listens behind the forward: 242, unreachable after the retries
  tampered        one byte of the encrypted disk changed: dm-verity refuses the block: 246
  tampered-none   one byte of a --tee none disk changed: 246
  sigterm         SIGTERM to cwrun reaches the workload, which cleans up and exits 3
  sigterm-default a workload that does not catch SIGTERM ends with 143
In every refusal the workload's output must not appear: nothing of it ran.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

BUILD, KERNEL_DIR = sys.argv[1:3]
HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE, "tests", "lib"))
import attest_fixture  # noqa: E402
import workload_image  # noqa: E402
import checks  # noqa: E402
from checks import check  # noqa: E402

OCI2CW = f"{BUILD}/tools/oci2cw/oci2cw"
CWRUN = f"{BUILD}/src/cwrun/cwrun"
SERVER = f"{BUILD}/attest-server/cli/cw-attest-server"
KERNEL = f"{KERNEL_DIR}/vmlinux"
INITRD = f"{BUILD}/src/guest-init/guest-initramfs.cpio"
WORKLOAD_LINES = ["args:one two", "user:1000", "GREETING=hello from the image"]


def make_image(layout):
    """The entrypoint prints its arguments, uid and one variable, then exits 7."""
    script = 'echo "args:$*"; echo "user:$(id -u)"; echo "GREETING=$GREETING"; exit 7'
    workload_image.make_busybox_image(layout, ["/bin/sh", "-c", script, "sh"], ["one", "two"],
                                      ["PATH=/bin", "GREETING=hello from the image"], user="1000")


def oci2cw(image, out, *args):
    r = subprocess.run([OCI2CW, f"oci:{image}", "--output", out, *args], capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        sys.exit(f"oci2cw {' '.join(args)}: {r.stderr.strip()}")


def cwrun(*args, timeout=300):
    """Returns (status, console output, stderr, seconds). A guest that triple-faults before any
    output is booted once more, saying so (tests/vmm/early-fault.sh: a nested-host intermittent)."""
    for attempt in (1, 2):
        start = time.monotonic()
        r = subprocess.run([CWRUN, "--kernel", KERNEL, "--initrd", INITRD, *args], capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, timeout=timeout)
        early_fault = r.returncode == 125 and not r.stdout and "triple fault (KVM_EXIT_SHUTDOWN)" in r.stderr
        if not early_fault or attempt == 2:
            return r.returncode, r.stdout, r.stderr, time.monotonic() - start
        print("     RETRY: the guest triple-faulted before any output (nested-host intermittent)")


def expect_refusal(name, status, step_text, args):
    rc, out, err, secs = cwrun(*args)
    ran = any(line in out for line in WORKLOAD_LINES)
    check(rc == status and f"cw-guest-init: {step_text}" in out and not ran,
          f"{name}: refused with status {status} and a '{step_text}' line, the workload did not run "
          f"({rc}, {secs:.1f} s)", f"stdout: {out[-1500:]}\nstderr: {err[-800:]}")
    for line in out.splitlines():
        if line.startswith("cw-guest-init:"):
            print(f"     guest: {line}")


def sigterm_case(name, workload, expected, expected_line, *args):
    """Starts cwrun, waits for the workload's 'ready', sends cwrun SIGTERM, expects `expected`."""
    proc = subprocess.Popen([CWRUN, "--kernel", KERNEL, "--initrd", INITRD, workload, *args],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = []
    for line in proc.stdout:
        out.append(line)
        if line.strip() == "ready":
            proc.send_signal(signal.SIGTERM)
            break
    try:
        rest, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        rest, err = proc.communicate()
    out = "".join(out) + rest
    check(proc.returncode == expected and (expected_line is None or expected_line in out.splitlines()) and
          "passed to the workload" in err,
          f"{name}: SIGTERM to cwrun reached the workload, cwrun exited {expected} ({proc.returncode})",
          f"stdout: {out[-1500:]}\nstderr: {err[-800:]}")


def copy_workload(src, dst):
    shutil.copytree(src, dst)
    return dst


def flip_byte(path, offset):
    with open(path, "r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ 0x5A]))


def main():
    # The nested host's TMPDIR is an L1-local tmpfs (unix sockets do not work on its 9p root).
    tmp = tempfile.mkdtemp(prefix="cw-e2e-")
    # /var/tmp is on the shared 9p root in the nested host, where libcryptsetup's own I/O on
    # the output file failed ("IO error while decrypting keyslot"); oci2cw must write there.
    shared = tempfile.mkdtemp(prefix="cw-e2e-shared-", dir="/var/tmp")
    server = None
    try:
        image = f"{tmp}/image"
        make_image(image)
        srv = f"{tmp}/server"
        os.makedirs(srv)
        server, port, _ = attest_fixture.start_server(SERVER, srv)
        url = f"https://127.0.0.1:{port}"
        register = ["--tee", "sim", "--attest-url", url, "--attest-ca", f"{srv}/ca.pem", "--kernel", KERNEL,
                    "--initrd", INITRD, "--register", "--admin-token-file", f"{srv}/admin.token"]
        sim, other, none = f"{tmp}/sim", f"{tmp}/other", f"{tmp}/none"
        oci2cw(image, sim, "--workload-id", "e2e", *register)
        oci2cw(image, other, "--workload-id", "e2e-other", *register)
        none_archive = f"{tmp}/none.tar"
        oci2cw(image, none, "--tee", "none", "--workload-id", "e2e-plain", "--output-image",
               f"oci-archive:{none_archive}")
        oci2cw(image, f"{shared}/sim", "--tee", "sim", "--workload-id", "e2e-shared", "--no-register")
        with open(f"{shared}/sim/disk.img", "rb") as f:
            head = f.read(6)
        check(head == b"LUKS\xba\xbe" and os.path.getsize(f"{shared}/sim/disk.img") > (1 << 20),
              f"sim: oci2cw writes a LUKS2 disk on {shared} (the nested host's 9p root)")
        os.environ["CW_CACHE_DIR"] = f"{tmp}/cache"  # cwrun IMAGE's cache: local, removed with tmp
        workload_image.make_busybox_image(f"{tmp}/trap-image", ["/bin/sh", "-c"], [
            'trap "echo cleaning up; exit 3" TERM; echo ready; while :; do sleep 1; done'])
        trap = f"{tmp}/trap"
        oci2cw(f"{tmp}/trap-image", trap, "--tee", "none", "--workload-id", "e2e-trap")
        sim_key = ["--sim-key", f"{srv}/sim.key"]

        # --- the workload runs
        rc, out, err, secs = cwrun(*sim_key, sim)
        check(rc == 7 and all(line in out.splitlines() for line in WORKLOAD_LINES),
              f"sim: attested, disk unlocked and verified, the workload printed its arguments, user and "
              f"environment and cwrun exited 7 ({rc}, {secs:.1f} s)", f"stdout: {out[-1500:]}\nstderr: {err[-800:]}")
        rc, out, err, secs = cwrun(none)
        check(rc == 7 and all(line in out.splitlines() for line in WORKLOAD_LINES),
              f"none: the unencrypted image runs without a server, exit 7 ({rc}, {secs:.1f} s)",
              f"stdout: {out[-1500:]}\nstderr: {err[-800:]}")
        rc, out, err, secs = cwrun(f"oci-archive:{none_archive}")
        cached = os.listdir(f"{tmp}/cache/images") if os.path.isdir(f"{tmp}/cache/images") else []
        check(rc == 7 and all(line in out.splitlines() for line in WORKLOAD_LINES) and len(cached) == 1,
              f"none-image: cwrun oci-archive:FILE extracts the image into the cache and runs it, exit 7 "
              f"({rc}, {secs:.1f} s, cache {cached})",
              f"stdout: {out[-1500:]}\nstderr: {err[-800:]}")

        # --- signals: the first SIGTERM goes to the workload
        sigterm_case("sigterm", trap, 3, "cleaning up")
        sigterm_case("sigterm-default", trap, 128 + signal.SIGTERM, None, "--", "echo ready; exec sleep 1000")

        # --- refusals
        mixed = copy_workload(sim, f"{tmp}/mixed")
        shutil.copyfile(f"{other}/disk.img", f"{mixed}/disk.img")
        expect_refusal("other-disk", 244, "disk unlock", [*sim_key, mixed])
        expect_refusal("cmdline", 243, "attestation", [*sim_key, sim, "--", "changed"])
        edited = copy_workload(sim, f"{tmp}/edited")
        wl = json.load(open(f"{edited}/workload.json"))
        wl["env"].append("EXTRA=1")
        with open(f"{edited}/workload.json", "w") as f:
            f.write(json.dumps(wl, sort_keys=True, separators=(",", ":")))
        expect_refusal("config", 243, "attestation", [*sim_key, edited])
        tampered = copy_workload(sim, f"{tmp}/tampered")
        flip_byte(f"{tampered}/disk.img", (1 << 20) + 100)  # the squashfs superblock's block
        expect_refusal("tampered", 246, "root filesystem", [*sim_key, tampered])
        tampered_none = copy_workload(none, f"{tmp}/tampered-none")
        flip_byte(f"{tampered_none}/rootfs.squashfs", 100)
        expect_refusal("tampered-none", 246, "root filesystem", [tampered_none])

        status, _ = attest_fixture.admin_request(srv, port, "DELETE", "/cw/v1/admin/workloads/e2e")
        check(status == 204, f"the server deletes workload e2e ({status})")
        expect_refusal("revoked", 243, "attestation", [*sim_key, sim])

        server.send_signal(signal.SIGTERM)
        server.wait(30)
        server = None
        expect_refusal("server-down", 242, "attestation", [*sim_key, other])
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(30)
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(shared, ignore_errors=True)
    return checks.summary()


if __name__ == "__main__":
    sys.exit(main())
