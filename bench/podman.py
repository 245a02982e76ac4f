#!/usr/bin/env python3
"""bench/podman's measurement (run it through bench/podman). usage: podman.py BUILD RUNS"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

BUILD, RUNS = sys.argv[1], int(sys.argv[2])
SOURCE = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(SOURCE, "tests", "lib"))
import workload_image  # noqa: E402


def run(*args):
    r = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        sys.exit(f"bench/podman: {' '.join(args)} exited {r.returncode}: {r.stderr[-800:]}")
    return r.stdout


def timed(*args):
    start = time.monotonic()
    run(*args)
    return time.monotonic() - start


def main():
    tmp = tempfile.mkdtemp(prefix="cw-bench-podman-")
    try:
        # One busybox layer; the runs differ only in runtime (and krun's conversion of it).
        workload_image.make_busybox_image(f"{tmp}/image", ["/bin/busybox", "true"])
        run("skopeo", "copy", "--quiet", f"oci:{tmp}/image", "containers-storage:localhost/bench-true:crun")
        run(f"{BUILD}/tools/oci2cw/oci2cw", f"oci:{tmp}/image", "--output", f"{tmp}/krun", "--tee", "none",
            "--workload-id", "bench-true", "--output-image", f"oci-archive:{tmp}/krun/image.tar", "--podman-load")
        variants = {
            "crun": ["podman", "run", "--rm", "--runtime", "crun", "--network", "none", "localhost/bench-true:crun"],
            "krun": ["podman", "run", "--rm", "--runtime", "krun", "--network", "none", "localhost/bench-true"],
        }
        for argv in variants.values():  # warm-up: page cache, podman's storage
            timed(*argv)
        times = {name: [] for name in variants}
        for _ in range(RUNS):
            for name, argv in variants.items():
                times[name].append(timed(*argv))
        med = {name: statistics.median(values) for name, values in times.items()}
        print(f"podman run --rm /bin/true, {RUNS} runs each, interleaved, medians:")
        for name in variants:
            print(f"  {name:5} {med[name]:.2f} s  (min {min(times[name]):.2f}, max {max(times[name]):.2f})")
        print(f"  ratio krun/crun {med['krun'] / med['crun']:.2f}; krun adds {med['krun'] - med['crun']:.2f} s")
    finally:
        subprocess.run(["podman", "rmi", "-f", "localhost/bench-true:crun", "localhost/bench-true"],
                       capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
