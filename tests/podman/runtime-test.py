#!/usr/bin/env python3
"""krun's OCI-CLI behaviour without Podman (issue 9), against the recorded contract
(shared/reference/podman-runtime-contract.md sections 3-5), with real microVMs in a real KVM
(tests/kvmhost/run). This process plays conmon: it is a child subreaper, so the VMM process
that `krun create` leaves behind becomes its child and its wait status is the container's
exit status, exactly as conmon sees it.

usage: runtime-test.py BUILD_DIR

Cases:
  lifecycle      create leaves the VMM holding the workload (state created, no output), start
                 runs it, the pid-file process exits with the workload's status 7 and printed
                 its output on create's stdout; state stopped; delete; delete --force again 0
  kill-created   SIGTERM before start ends the held VMM: 143
  sigterm        kill 15 reaches the workload (its trap exits 3); kill 9 ends a VM: 137
  pause          pause/resume: state paused, then running
  two            two containers at once both exit 7
  delete-force   delete --force of a running container ends it and removes its state
  refusals       a non-converted image (the oci2cw hint, JSON log), a command for a measured
                 image, exec, an unknown id; none leaves state behind
"""
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

BUILD = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE, "tests", "lib"))
import workload_image  # noqa: E402
import checks  # noqa: E402
from checks import check  # noqa: E402

KRUN = f"{BUILD}/podman/krun/krun"
OCI2CW = f"{BUILD}/tools/oci2cw/oci2cw"
PR_SET_CHILD_SUBREAPER = 36


class Runtime:
    def __init__(self, root):
        self.root = root

    def run(self, *args, stdout=subprocess.PIPE, log=None):
        glob = ["--root", self.root] + (["--log-format=json", "--log", log] if log else [])
        return subprocess.run([KRUN, *glob, *args], stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120)

    def state(self, cid):
        r = self.run("state", cid)
        return json.loads(r.stdout) if r.returncode == 0 else None


def bundle(tmp, name, workload_dir, args=("/entrypoint",), root=None):
    """An OCI bundle whose root is oci2cw's output (what the converted image's root holds)."""
    b = f"{tmp}/bundles/{name}"
    os.makedirs(b)
    config = {
        "ociVersion": "1.0.2",
        "process": {"args": list(args), "env": ["PATH=/bin", "TERM=xterm", "container=podman"], "cwd": "/",
                    "user": {"uid": 0, "gid": 0}},
        "root": {"path": root or workload_dir},
        "annotations": {"io.container.manager": "libpod"},
    }
    with open(f"{b}/config.json", "w") as f:
        json.dump(config, f)
    return b


def wait_status(pid, timeout=240):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    return None


def wait_for(path, text, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(path, errors="replace") as f:
            if text in f.read():
                return True
        time.sleep(0.1)
    return False


def create(rt, tmp, cid, b):
    """krun create with stdout/stderr to files, as conmon's pipes; returns (rc, pid, out, err files)."""
    out, err = f"{tmp}/{cid}.out", f"{tmp}/{cid}.err"
    with open(out, "w") as o, open(err, "w") as e:
        r = subprocess.run([KRUN, "--root", rt.root, "create", "--bundle", b, "--pid-file", f"{tmp}/{cid}.pid", cid],
                           stdin=subprocess.DEVNULL, stdout=o, stderr=e, timeout=120)
    pid = int(open(f"{tmp}/{cid}.pid").read()) if r.returncode == 0 else 0
    return r.returncode, pid, out, err


def early_fault(status, out, err):
    """The nested host's early triple fault (tests/vmm/early-fault.sh): retried once."""
    return status == 125 and not open(out).read() and "triple fault (KVM_EXIT_SHUTDOWN)" in open(err).read()


def run_to_exit(rt, tmp, cid, b):
    for attempt in (1, 2):
        rc, pid, out, err = create(rt, tmp, cid, b)
        if rc != 0:
            return rc, None, out, err
        rt.run("start", cid)
        status = wait_status(pid)
        if attempt == 1 and early_fault(status, out, err):
            print(f"RETRY {cid}: early triple fault", flush=True)
            rt.run("delete", "--force", cid)
            continue
        return rc, status, out, err


def main():
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    tmp = tempfile.mkdtemp(prefix="cw-krun-")
    rt = Runtime(f"{tmp}/run")
    try:
        workload_image.make_busybox_image(f"{tmp}/img", ["/bin/sh", "-c", 'echo "hello from krun $*"; exit 7', "sh"],
                                          ["a"])
        workload_image.make_busybox_image(f"{tmp}/trap-img", ["/bin/sh", "-c"], [
            'trap "echo cleaning up; exit 3" TERM; echo ready; while :; do sleep 1; done'])
        for image, out in ((f"{tmp}/img", f"{tmp}/plain"), (f"{tmp}/trap-img", f"{tmp}/trap")):
            r = subprocess.run([OCI2CW, f"oci:{image}", "--output", out, "--tee", "none", "--workload-id",
                                os.path.basename(out)], capture_output=True, text=True, timeout=300)
            if r.returncode != 0:
                sys.exit(f"oci2cw: {r.stderr.strip()}")
        plain, trap = f"{tmp}/plain", f"{tmp}/trap"

        # --- lifecycle
        b = bundle(tmp, "life", plain)
        rc, pid, out, err = create(rt, tmp, "life", b)
        check(rc == 0 and pid > 0, "create writes the VMM's pid", open(err).read())
        st = rt.state("life")
        check(st and st["status"] == "created" and st["pid"] == pid and st["bundle"] == b,
              "state after create: created, pid", st)
        time.sleep(1)
        check(open(out).read() == "" and os.waitpid(pid, os.WNOHANG) == (0, 0),
              "the workload does not run before start")
        r = rt.run("start", "life")
        check(r.returncode == 0, "start", r.stderr)
        st = rt.state("life")
        check(st and st["status"] == "running", "state after start: running", st)
        r2 = rt.run("start", "life")
        check(r2.returncode != 0 and "cannot be started" in r2.stderr, "a second start is refused", r2.stderr)
        status = wait_status(pid)
        if early_fault(status, out, err):
            print("RETRY life: early triple fault", flush=True)
            rt.run("delete", "--force", "life")
            _, status, out, err = run_to_exit(rt, tmp, "life", b)
        check(status == 7, "the pid-file process exits with the workload's status 7",
              f"status {status}\n{open(err).read()[-1500:]}")
        check("hello from krun a" in open(out).read(), "the workload's output is on create's stdout",
              open(out).read()[-500:])
        st = rt.state("life")
        check(st and st["status"] == "stopped" and st["pid"] == 0, "state after exit: stopped, pid 0", st)
        r = rt.run("delete", "life")
        check(r.returncode == 0 and not os.path.exists(f"{rt.root}/life"), "delete removes the state", r.stderr)
        check(rt.run("delete", "--force", "life").returncode == 0, "delete --force of an unknown id: 0")
        r = rt.run("state", "life")
        check(r.returncode != 0 and "does not exist" in r.stderr, "state of an unknown id fails", r.stderr)

        # --- kill before start
        rc, pid, out, err = create(rt, tmp, "held", bundle(tmp, "held", plain))
        rt.run("kill", "held", "15")
        check(wait_status(pid, 30) == 143, "SIGTERM before start ends the held VMM: 143")
        rt.run("delete", "held")

        # --- signals reach the workload
        tb = bundle(tmp, "trap", trap)
        for attempt in (1, 2):
            rc, pid, out, err = create(rt, tmp, "trap", tb)
            rt.run("start", "trap")
            ready = wait_for(out, "ready", 120)
            if ready or attempt == 2:
                break
            status = wait_status(pid, 5)
            if not early_fault(status, out, err):
                break
            print("RETRY trap: early triple fault", flush=True)
            rt.run("delete", "--force", "trap")
        check(ready, "the trap workload is ready", open(err).read()[-1000:])
        r = rt.run("pause", "trap")
        st = rt.state("trap")
        check(r.returncode == 0 and st and st["status"] == "paused", "pause: state paused", r.stderr)
        r = rt.run("resume", "trap")
        st = rt.state("trap")
        check(r.returncode == 0 and st and st["status"] == "running", "resume: state running", r.stderr)
        r = rt.run("kill", "trap", "USR1")
        st = rt.state("trap")
        check(r.returncode != 0 and "relays only SIGTERM, SIGINT and SIGHUP" in r.stderr and st and
              st["status"] == "running", "kill USR1 is refused; the VM runs on", f"{r.stderr}\n{st}")
        rt.run("kill", "trap", "TERM")
        status = wait_status(pid, 60)
        check(status == 3 and "cleaning up" in open(out).read(), "kill 15 reaches the workload's trap: 3",
              f"status {status}")
        rt.run("delete", "trap")
        rc, pid, out, err = create(rt, tmp, "trap", tb)
        rt.run("start", "trap")
        wait_for(out, "ready", 120)
        rt.run("kill", "trap", "9")
        check(wait_status(pid, 30) == 137, "kill 9 ends the VM: 137")
        rt.run("delete", "trap")

        # --- two at once
        pids = {}
        for cid in ("one", "two"):
            rc, pid, out, err = create(rt, tmp, cid, bundle(tmp, cid, plain))
            pids[cid] = (pid, out, err)
        for cid in pids:
            rt.run("start", cid)
        statuses = {cid: wait_status(p) for cid, (p, _, _) in pids.items()}
        for cid, status in list(statuses.items()):
            if early_fault(status, pids[cid][1], pids[cid][2]):
                print(f"RETRY {cid}: early triple fault", flush=True)
                rt.run("delete", "--force", cid)
                _, statuses[cid], _, _ = run_to_exit(rt, tmp, cid, f"{tmp}/bundles/{cid}")
        check(statuses == {"one": 7, "two": 7}, "two containers at once both exit 7", statuses)
        for cid in pids:
            rt.run("delete", cid)

        # --- delete --force of a running container
        rc, pid, out, err = create(rt, tmp, "forced", bundle(tmp, "forced", trap))
        rt.run("start", "forced")
        wait_for(out, "ready", 120)
        r = rt.run("delete", "--force", "forced")
        check(r.returncode == 0 and wait_status(pid, 15) == 137 and not os.path.exists(f"{rt.root}/forced"),
              "delete --force ends a running container and removes its state", r.stderr)

        # --- refusals
        os.makedirs(f"{tmp}/plain-root")
        log = f"{tmp}/oci-log"
        r = rt.run("create", "--bundle", bundle(tmp, "raw", plain, root=f"{tmp}/plain-root"), "--pid-file",
                   f"{tmp}/raw.pid", "raw", log=log)
        entry = json.load(open(log)) if os.path.exists(log) else {}
        check(r.returncode != 0 and "oci2cw" in r.stderr and "oci2cw" in entry.get("msg", "") and
              entry.get("level") == "error" and not os.path.exists(f"{rt.root}/raw") and
              not os.path.exists(f"{tmp}/raw.pid"),
              "a non-converted image: the oci2cw hint, on stderr and as the JSON log", f"{r.stderr}\n{entry}")
        r = rt.run("create", "--bundle", bundle(tmp, "cmd", plain, args=("/bin/sh",)), "cmd")
        check(r.returncode != 0 and "--entrypoint /bin/sh is refused" in r.stderr, "--entrypoint is refused",
              r.stderr)
        r = rt.run("create", "--bundle", bundle(tmp, "fds", plain), "--preserve-fds", "1", "fds")
        check(r.returncode != 0 and "--preserve-fds 1: passing host descriptors" in r.stderr,
              "--preserve-fds 1 is refused", r.stderr)
        r = rt.run("exec", "--process", "/p", "--pid-file", "/q", "--detach", "x")
        check(r.returncode != 0 and "not supported" in r.stderr, "exec says it is not supported", r.stderr)
        check(sorted(os.listdir(rt.root)) == [], "refusals leave no state", os.listdir(rt.root))
    finally:
        for cid in os.listdir(rt.root) if os.path.isdir(rt.root) else []:
            rt.run("delete", "--force", cid)
        shutil.rmtree(tmp, ignore_errors=True)

    sys.exit(checks.summary())


if __name__ == "__main__":
    main()
