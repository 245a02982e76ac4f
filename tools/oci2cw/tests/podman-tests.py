#!/usr/bin/env python3
"""oci2cw with Podman, when Podman works on this machine (otherwise SKIP, exit 77), in
tests/podman/podman-env's private store (the script re-runs itself under it):

- containers-storage:NAME (podman save --format oci-archive into $TMPDIR) gives the same
  squashfs as the oci-archive the image was loaded from, and leaves nothing under $TMPDIR;
- --output-image ... --podman-load loads the workload image: `podman image inspect` shows
  the labels and Entrypoint ["/entrypoint"];
- a name Podman does not have fails with one line.
Podman is only used, never set up: shared/tools/setup-podman.sh is not run from here.

Usage: podman-tests.py OCI2CW make-test-images.py
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tests", "lib"))
import checks  # noqa: E402
from checks import check  # noqa: E402

OCI2CW, MAKE_IMAGES = sys.argv[1], sys.argv[2]
SKIP = 77


def podman(*args):
    return subprocess.run(["podman"] + list(args), capture_output=True, text=True)


PODMAN_ENV = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tests", "podman", "podman-env")


def main():
    missing = [p for p in ("podman", "conmon", "crun") if not shutil.which(p)]
    if missing:
        print("SKIP: not installed: " + ", ".join(missing))
        sys.exit(SKIP)
    if os.geteuid() != 0:
        print("SKIP: rootful Podman needs root")
        sys.exit(SKIP)
    if "PODMAN_ENV_DIR" not in os.environ:
        # A private store and configuration: the machine's own Podman state is never touched.
        os.execv(PODMAN_ENV, [PODMAN_ENV, "--", sys.executable, os.path.abspath(__file__)] + sys.argv[1:])
    info = podman("info", "--format", "json")
    if info.returncode != 0:
        print("SKIP: `podman info` fails: " + (info.stderr.strip().splitlines() or ["?"])[-1])
        sys.exit(SKIP)
    work = tempfile.mkdtemp(prefix="oci2cw-podman-test.")
    name = "localhost/oci2cw-test-small:latest"
    loaded = "localhost/oci2cw-podman-test:latest"
    try:
        images = os.path.join(work, "images")
        subprocess.run([sys.executable, MAKE_IMAGES, images], check=True)
        tmpdir = os.path.join(work, "tmp")
        os.mkdir(tmpdir)
        env = dict(os.environ, TMPDIR=tmpdir)
        # The small image: containers-storage applies each layer on its own (overlay), so the
        # multi-layer image's hard link to a file of a lower layer is refused by Podman itself.
        pulled = podman("pull", "oci-archive:" + images + "/small.oci.tar")
        if not check(pulled.returncode == 0, f"podman pull oci-archive: ({pulled.stderr.strip()[-200:]})"):
            return checks.summary()  # the rest needs the image in Podman's storage
        podman("tag", pulled.stdout.strip().splitlines()[-1], name)

        ref = subprocess.run([OCI2CW, "oci-archive:" + images + "/small.oci.tar", "--output", work + "/ref", "--tee",
                              "none"], capture_output=True, text=True, env=env)
        r = subprocess.run([OCI2CW, "containers-storage:" + name, "--output", work + "/cs", "--tee", "none",
                            "--workload-id", "oci2cw-podman-test", "--output-image", "oci-archive:" + work + "/wl.tar",
                            "--podman-load", "--json"], capture_output=True, text=True, env=env)
        check(ref.returncode == 0 and r.returncode == 0, f"containers-storage: exit 0 ({r.stderr.strip()})")
        if r.returncode == 0:
            same = open(work + "/ref/rootfs.squashfs", "rb").read() == open(work + "/cs/rootfs.squashfs", "rb").read()
            check(same, "containers-storage: the same squashfs as from the oci-archive")
            check(os.listdir(tmpdir) == [], "containers-storage: nothing left under $TMPDIR")
            summary = json.loads(r.stdout)
            check(summary["image"]["podman_loaded"] is True, "--json: podman_loaded")
            inspect = podman("image", "inspect", loaded)
            ok = inspect.returncode == 0
            if ok:
                cfg = json.loads(inspect.stdout)[0]
                ok = (cfg["Config"]["Entrypoint"] == ["/entrypoint"] and
                      cfg["Config"]["Labels"]["org.confidential-workloads.workload-id"] == "oci2cw-podman-test")
            check(ok, f"--podman-load: podman has {loaded} with the labels ({inspect.stderr.strip()})")
        bad = subprocess.run([OCI2CW, "containers-storage:localhost/oci2cw-no-such-image:x", "--output", work + "/bad",
                              "--tee", "none"], capture_output=True, text=True, env=env)
        check(bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1 and "podman save" in bad.stderr,
              f"unknown image: one line ({bad.stderr.strip()})")
    finally:
        podman("rmi", "-f", name, loaded)
        shutil.rmtree(work, ignore_errors=True)
    return checks.summary()


sys.exit(main())
