#!/usr/bin/env python3
"""cwrun IMAGE (no KVM): the oci-archive oci2cw --output-image writes resolves to the same
launch as the --output directory written beside it (cwrun --print-launch), through the image
cache; refusals are one line with status 125 and leave no cache entry.

- oci2cw --tee none --output DIR --output-image oci-archive:FILE on the busybox test image;
- `cwrun --print-launch oci-archive:FILE -- a b` equals `cwrun --print-launch DIR -- a b`
  but for the directory, and the cached workload.json and disk equal DIR's byte for byte;
- a second run is a cache hit (nothing extracted), with the same launch;
- an image oci2cw did not convert is refused with the one line saying so;
- an archive with one byte of its layer changed is refused for its digest.

Usage: image-test.py CWRUN OCI2CW
"""
import filecmp
import json
import os
import subprocess
import sys
import tarfile
import tempfile

CWRUN, OCI2CW = sys.argv[1:3]
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "lib"))
import workload_image  # noqa: E402
import checks  # noqa: E402
from checks import check  # noqa: E402


def cwrun(tmp, *args, cache="cache"):
    # Boot files are never read by --print-launch: any path does.
    env = dict(os.environ, XDG_CACHE_HOME=f"{tmp}/{cache}")
    env.pop("CW_CACHE_DIR", None)
    return subprocess.run([CWRUN, "--kernel", f"{tmp}/vmlinux", "--initrd", f"{tmp}/initrd", *args],
                          capture_output=True, text=True, env=env, timeout=120)


def cache_entries(tmp, cache="cache"):
    images = f"{tmp}/{cache}/confidential-workloads/images"
    return sorted(os.listdir(images)) if os.path.isdir(images) else []


def expect_refusal(tmp, what, text, *args):
    """In a cache of its own: a changed layer under an unchanged manifest would be a cache hit
    (the entry was verified against the manifest's layer digest when it was made)."""
    r = cwrun(tmp, *args, cache="refusals")
    err = r.stderr.strip()
    check(r.returncode == 125 and "\n" not in err and text in err and cache_entries(tmp, "refusals") == [],
          f"{what}: refused with one line containing '{text}', no cache entry", f"{r.returncode}: {err}")


def flip_layer_byte(archive, out):
    """A copy of `archive` with one byte in the middle of its largest member (the layer) changed."""
    with tarfile.open(archive) as t:
        member = max(t.getmembers(), key=lambda m: m.size)
    data = bytearray(open(archive, "rb").read())
    data[member.offset_data + member.size // 2] ^= 0x5A
    open(out, "wb").write(data)


def main():
    # Local disk (the nested host's root is 9p): oci2cw writes its outputs here.
    with tempfile.TemporaryDirectory(prefix="cw-cwrun-image-") as tmp:
        image = f"{tmp}/image"
        workload_image.make_busybox_image(image, ["/bin/sh", "-c", "exit 7"])
        out, archive = f"{tmp}/out", f"{tmp}/image.tar"
        r = subprocess.run([OCI2CW, f"oci:{image}", "--tee", "none", "--output", out,
                            "--output-image", f"oci-archive:{archive}"], capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            sys.exit(f"oci2cw: {r.stderr.strip()}")

        direct = cwrun(tmp, "--print-launch", out, "--", "a", "b")
        check(direct.returncode == 0, "cwrun --print-launch DIR", direct.stderr)
        first = cwrun(tmp, "--print-launch", f"oci-archive:{archive}", "--", "a", "b")
        check(first.returncode == 0 and "extracted the workload of" in first.stderr,
              "cwrun --print-launch oci-archive:FILE extracts into the cache", first.stderr)
        entries = cache_entries(tmp)
        check(len(entries) == 1 and entries[0].startswith("sha256-"), f"one cache entry named by digest: {entries}")
        if direct.returncode != 0 or first.returncode != 0 or len(entries) != 1:
            return 1
        entry = f"{tmp}/cache/confidential-workloads/images/{entries[0]}"
        from_dir, from_image = json.loads(direct.stdout), json.loads(first.stdout)
        check(from_image["workload_config"] == f"{entry}/workload.json", "the workload configuration is the cached one")
        normalized = json.loads(first.stdout.replace(entry, out))
        check(normalized == from_dir, "the image's launch is the directory's but for where the files are",
              f"dir:   {from_dir}\nimage: {from_image}")
        check(sorted(os.listdir(entry)) == sorted(os.listdir(out)),
              f"the entry holds what --output holds, no entrypoint: {sorted(os.listdir(entry))}")
        check(all(filecmp.cmp(f"{entry}/{n}", f"{out}/{n}", shallow=False) for n in os.listdir(out)),
              "the cached files equal --output's byte for byte")

        again = cwrun(tmp, "--print-launch", f"oci-archive:{archive}", "--", "a", "b")
        check(again.returncode == 0 and again.stdout == first.stdout and "extracted" not in again.stderr,
              "a second run is a cache hit with the same launch", again.stderr)

        expect_refusal(tmp, "an unconverted image",
                       f"oci:{image} is not a converted confidential workload image: convert it with oci2cw",
                       "--print-launch", f"oci:{image}")
        flip_layer_byte(archive, f"{tmp}/flipped.tar")
        expect_refusal(tmp, "a changed layer byte", "digest mismatch", "--print-launch", f"oci-archive:{tmp}/flipped.tar")
        expect_refusal(tmp, "a missing archive", f"{tmp}/missing.tar", "--print-launch", f"oci-archive:{tmp}/missing.tar")
    return checks.summary()


if __name__ == "__main__":
    sys.exit(main())
