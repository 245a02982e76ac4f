#!/usr/bin/env python3
"""The main job, end to end (scripts/demo runs it in a real KVM): a container image becomes a
confidential microVM. A busybox image is converted by oci2cw --tee sim and registered with a
cw-attest-server started here (TLS with a throw-away CA, sim evidence accepted: the simulated
TEE protects nothing); cwrun boots it: guest-init attests, receives the disk key, unlocks
and verifies the disk and runs the container's entrypoint, whose output and status are shown.
usage: demo-workload.py BUILD_DIR KERNEL"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

BUILD, KERNEL = sys.argv[1:3]
SOURCE = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(SOURCE, "tests", "lib"))
import attest_fixture  # noqa: E402
import workload_image  # noqa: E402


def main():
    tmp = tempfile.mkdtemp(prefix="cw-demo-")
    server = None
    try:
        script = 'echo "hello from a confidential workload: $(uname -sr), uid $(id -u), args: $*"; exit 42'
        workload_image.make_busybox_image(f"{tmp}/image", ["/bin/sh", "-c", script, "sh"], ["demo"], user="1000")
        os.makedirs(f"{tmp}/server")
        server, port, _ = attest_fixture.start_server(f"{BUILD}/attest-server/cli/cw-attest-server", f"{tmp}/server")
        print(f"demo: cw-attest-server listening on 127.0.0.1:{port}")
        initrd = f"{BUILD}/src/guest-init/guest-initramfs.cpio"
        subprocess.run([f"{BUILD}/tools/oci2cw/oci2cw", f"oci:{tmp}/image", "--output", f"{tmp}/hello",
                        "--workload-id", "hello", "--tee", "sim", "--attest-url", f"https://127.0.0.1:{port}",
                        "--attest-ca", f"{tmp}/server/ca.pem", "--kernel", KERNEL, "--initrd", initrd, "--register",
                        "--admin-token-file", f"{tmp}/server/admin.token"], check=True)
        print(f"demo: cwrun --sim-key sim.key {tmp}/hello")
        start = time.monotonic()
        status = subprocess.run([f"{BUILD}/src/cwrun/cwrun", "--kernel", KERNEL, "--sim-key", f"{tmp}/server/sim.key",
                                 f"{tmp}/hello"], stdin=subprocess.DEVNULL).returncode
        print(f"demo: cwrun exited {status} (the workload's status) after {time.monotonic() - start:.1f} s")
        return 0 if status == 42 else 1
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(30)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
