#!/usr/bin/env python3
"""`podman run --runtime krun` with real Podman 4.3 and conmon (issue 9), inside the private
Podman of tests/podman/podman-env with KRUN= naming the built krun, in a real KVM (the nested
test host). Images come from oci2cw --output-image and `podman load`.

usage: podman-env -- podman-test.py BUILD_DIR KERNEL_DIR

Cases:
  run            podman run --rm prints the workload's output and returns its status (7)
  tty            podman run -t: the output comes through the pty krun hands conmon
  stop           run -d of a workload trapping SIGTERM: ps shows it Up; podman stop reaches the
                 trap (exit 3, its cleanup line in podman logs)
  kill           podman kill: Exited (137); podman rm -f of a running container
  two            two containers at once, both 7
  sim            a --tee sim image attests to a real cw-attest-server, unlocks its disk and
                 runs (7); -e on it is refused (126) with the reason
  refused        a sim image the server does not know: non-zero, the reason in podman logs
  not-converted  an ordinary image: 126 and the oci2cw hint, never a plain container
"""
import os
import shutil
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
SERVER = f"{BUILD}/attest-server/cli/cw-attest-server"
KERNEL = f"{KERNEL_DIR}/vmlinux"
INITRD = f"{BUILD}/src/guest-init/guest-initramfs.cpio"
# The VMM reports this when the nested host's early triple fault hits (tests/vmm/early-fault.sh).
EARLY_FAULT = "triple fault (KVM_EXIT_SHUTDOWN)"


def podman(*args, timeout=300):
    start = time.monotonic()
    r = subprocess.run(["podman", *args], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout, r.stderr, time.monotonic() - start


def run_krun(*args, timeout=300):
    """podman run --runtime krun ARGS; a run hit by the early triple fault is run once more."""
    for attempt in (1, 2):
        rc, out, err, secs = podman("run", "--runtime", "krun", *args, timeout=timeout)
        if attempt == 1 and rc == 125 and EARLY_FAULT in out + err and "hello" not in out:
            print("RETRY: early triple fault", flush=True)
            continue
        return rc, out, err, secs


def convert(image, out, *args):
    r = subprocess.run([OCI2CW, f"oci:{image}", "--output", out, "--output-image",
                        f"oci-archive:{out}/image.tar", "--podman-load", *args],
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        sys.exit(f"oci2cw {' '.join(args)}: {r.stderr.strip()}")


def status(name):
    rc, out, _, _ = podman("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", name)
    return out.strip()


def wait_for_log(name, text, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, out, err, _ = podman("logs", name)
        if text in out + err:
            return True
        if status(name).startswith("exited"):
            return False
        time.sleep(0.5)
    return False


def main():
    tmp = tempfile.mkdtemp(prefix="cw-podman-")
    server = None
    try:
        workload_image.make_busybox_image(f"{tmp}/img", ["/bin/sh", "-c", 'echo "hello from podman $*"; exit 7', "sh"],
                                          ["a"])
        workload_image.make_busybox_image(f"{tmp}/trap-img", ["/bin/sh", "-c"], [
            'trap "echo cleaning up; exit 3" TERM; echo ready; while :; do sleep 1; done'])
        convert(f"{tmp}/img", f"{tmp}/plain", "--tee", "none", "--workload-id", "krun-plain")
        convert(f"{tmp}/trap-img", f"{tmp}/trap", "--tee", "none", "--workload-id", "krun-trap")
        srv = f"{tmp}/server"
        os.makedirs(srv)
        server, port, _ = attest_fixture.start_server(SERVER, srv)
        tee_args = ["--tee", "sim", "--attest-url", f"https://127.0.0.1:{port}", "--attest-ca", f"{srv}/ca.pem",
                    "--kernel", KERNEL, "--initrd", INITRD]
        convert(f"{tmp}/img", f"{tmp}/sim", *tee_args, "--workload-id", "krun-sim", "--register",
                "--admin-token-file", f"{srv}/admin.token")
        convert(f"{tmp}/img", f"{tmp}/unknown", *tee_args, "--workload-id", "krun-unknown", "--no-register")
        sim_key = f"--annotation=krun.sim-key={srv}/sim.key"

        # --- run
        rc, out, err, secs = run_krun("--rm", "localhost/krun-plain")
        check(rc == 7 and "hello from podman a" in out, f"podman run --rm: output and exit 7 ({secs:.1f} s)",
              f"rc {rc}\n{out}\n{err}")
        rc, out, err, secs = run_krun("--rm", "localhost/krun-plain", "echo", "replaced")
        check(rc == 7 and "hello from podman echo replaced" in out, "a command replaces a tee none workload's cmd",
              f"rc {rc}\n{out}\n{err}")

        # --- tty
        rc, out, err, secs = run_krun("--rm", "-t", "localhost/krun-plain")
        check(rc == 7 and "hello from podman a" in out, "podman run -t: output through the pty, exit 7",
              f"rc {rc}\n{out}\n{err}")

        # --- stop
        rc, out, err, _ = podman("run", "-d", "--name", "stopme", "--runtime", "krun", "localhost/krun-trap")
        ready = rc == 0 and wait_for_log("stopme", "ready")
        check(ready, "run -d: the workload is up", f"rc {rc}\n{out}\n{err}\n{podman('logs', 'stopme')[1:3]}")
        _, ps, _, _ = podman("ps", "--format", "{{.Names}} {{.Status}}")
        check(any(line.startswith("stopme Up") for line in ps.splitlines()), "podman ps shows it Up", ps)
        rc, out, err, secs = podman("stop", "-t", "30", "stopme")
        _, logs, logs_err, _ = podman("logs", "stopme")
        check(rc == 0 and status("stopme") == "exited 3" and "cleaning up" in logs,
              f"podman stop reaches the workload's trap: exited 3 ({secs:.1f} s)",
              f"rc {rc} {err}\nstate {status('stopme')}\n{logs}{logs_err}")
        podman("rm", "stopme")

        # --- kill, rm -f
        podman("run", "-d", "--name", "killme", "--runtime", "krun", "localhost/krun-trap")
        wait_for_log("killme", "ready")
        rc, out, err, _ = podman("kill", "killme")
        podman("wait", "killme", timeout=60)
        _, ps, _, _ = podman("ps", "-a", "--format", "{{.Names}} {{.Status}}")
        check(rc == 0 and status("killme") == "exited 137" and "killme Exited (137)" in ps,
              "podman kill: Exited (137)", f"rc {rc} {err}\n{ps}")
        podman("rm", "killme")
        podman("run", "-d", "--name", "rmme", "--runtime", "krun", "localhost/krun-trap")
        wait_for_log("rmme", "ready")
        rc, out, err, _ = podman("rm", "-f", "rmme")
        _, ps, _, _ = podman("ps", "-a", "--format", "{{.Names}}")
        check(rc == 0 and "rmme" not in ps.split(), "podman rm -f of a running container", f"rc {rc} {err}\n{ps}")

        # --- two at once
        for name in ("one", "two"):
            podman("run", "-d", "--name", name, "--runtime", "krun", "localhost/krun-plain")
        codes = {name: podman("wait", name, timeout=300)[1].strip() for name in ("one", "two")}
        check(codes == {"one": "7", "two": "7"}, "two containers at once both exit 7", codes)
        podman("rm", "-f", "one", "two")

        # --- sim: attestation through Podman
        rc, out, err, secs = run_krun("--rm", sim_key, "localhost/krun-sim")
        check(rc == 7 and "hello from podman a" in out,
              f"a sim image attests, unlocks its disk and runs under podman: 7 ({secs:.1f} s)",
              f"rc {rc}\n{out}\n{err}")
        rc, out, err, _ = podman("run", "--rm", "--runtime", "krun", sim_key, "-e", "SECRET=1", "localhost/krun-sim")
        check(rc == 126 and "--env SECRET is refused" in err, "-e on a sim image: 126 with the reason",
              f"rc {rc}\n{err}")
        rc, out, err, _ = podman("run", "--rm", "--runtime", "krun", "localhost/krun-sim")
        check(rc == 126 and "krun.sim-key" in err, "a sim image without the sim key: 126 saying how to give it",
              f"rc {rc}\n{err}")

        # --- refused by the attestation server
        rc, out, err, _ = run_krun("--name", "refused", sim_key, "localhost/krun-unknown")
        _, logs, logs_err, _ = podman("logs", "refused")
        check(rc == 243 and "unknown_workload" in logs + logs_err and "hello" not in logs,
              "a workload the server does not know: 243, the reason in podman logs", f"rc {rc}\n{logs}{logs_err}")
        podman("rm", "-f", "refused")

        # --- not converted
        rc, out, err, _ = podman("run", "--rm", "--runtime", "krun", os.environ.get("PODMAN_ENV_IMAGE",
                                                                                  "localhost/busybox:test"),
                                 "echo", "escaped")
        check(rc == 126 and "oci2cw" in err and "escaped" not in out,
              "an image that was not converted: 126 with the oci2cw hint, nothing runs", f"rc {rc}\n{out}\n{err}")
    finally:
        if server:
            server.terminate()
            server.wait(10)
        podman("rm", "-a", "-f", "-t", "0")
        shutil.rmtree(tmp, ignore_errors=True)

    sys.exit(checks.summary())


if __name__ == "__main__":
    main()
