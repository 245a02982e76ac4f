#!/usr/bin/env python3
"""End-to-end checks of oci2cw on images written by make-test-images.py (no registry):
expected trees (read back with sqfs2tar), byte-identical output from oci:, oci-archive:
and docker-archive:, multi-platform indexes (flat and nested; --platform), refusal of each hostile image with one error line naming the entry
and nothing written, digest errors for a flipped byte, CLI exit codes, the --json summary and the progress line (on a pty only), and (if umoci is
installed) agreement with `umoci unpack` on the multi-layer image.

Usage: run-tests.py OCI2CW make-test-images.py
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tests", "lib"))
import checks  # noqa: E402
from checks import check  # noqa: E402

OCI2CW, MAKE_IMAGES = sys.argv[1], sys.argv[2]


def run(args, env=None):
    return subprocess.run([OCI2CW] + args, capture_output=True, text=True, env=env)


TYPES = {tarfile.REGTYPE: "file", tarfile.DIRTYPE: "dir", tarfile.SYMTYPE: "symlink", tarfile.CHRTYPE: "char",
         tarfile.BLKTYPE: "block", tarfile.FIFOTYPE: "fifo"}


def squashfs_tree(image):
    """path -> attributes, read back through sqfs2tar (squashfs-tools-ng)."""
    data = subprocess.run(["sqfs2tar", image], capture_output=True, check=True).stdout
    tree, groups = {}, {}
    import io
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for m in tar:
            if m.type == tarfile.LNKTYPE:
                tree[m.name] = dict(tree[m.linkname])
                groups.setdefault(m.linkname, {m.linkname}).add(m.name)
                continue
            e = dict(type=TYPES[m.type], mode=m.mode, uid=m.uid, gid=m.gid, mtime=m.mtime)
            if m.type == tarfile.REGTYPE:
                e["sha256"] = hashlib.sha256(tar.extractfile(m).read()).hexdigest()
            if m.type == tarfile.SYMTYPE:
                e["target"] = m.linkname
            if m.type in (tarfile.CHRTYPE, tarfile.BLKTYPE):
                e["dev"] = [m.devmajor, m.devminor]
            xattrs = {k[len("SCHILY.xattr."):]: v for k, v in m.pax_headers.items() if k.startswith("SCHILY.xattr.")}
            if xattrs:
                e["xattrs"] = xattrs
            tree[m.name] = e
    return tree, sorted(sorted(g) for g in groups.values())


def compare_tree(name, tree, links, expected):
    expected = {k: v for k, v in expected.items() if k != ""}  # sqfs2tar does not emit the root
    check(sorted(tree) == sorted(expected), f"{name}: same paths (extra {sorted(set(tree) - set(expected))}, "
                                            f"missing {sorted(set(expected) - set(tree))})")
    for path, want in expected.items():
        got = tree.get(path, {})
        bad = {k: (got.get(k), v) for k, v in want.items() if k != "link_group" and got.get(k) != v}
        if "xattrs" not in want and "xattrs" in got:
            bad["xattrs"] = (got["xattrs"], None)
        check(not bad, f"{name}: {path} attributes {bad if bad else ''}")
    want_groups = {}
    for path, want in expected.items():
        if "link_group" in want:
            want_groups.setdefault(want["link_group"], []).append(path)
    check(sorted(sorted(g) for g in want_groups.values()) == links, f"{name}: hard link groups {links}")


def main():
    work = tempfile.mkdtemp(prefix="oci2cw-test.")
    try:
        images = os.path.join(work, "images")
        subprocess.run([sys.executable, MAKE_IMAGES, images], check=True)
        tmpdir = os.path.join(work, "tmp")
        os.mkdir(tmpdir)
        env = dict(os.environ, TMPDIR=tmpdir)

        outputs = {}
        for name, ref in [("small", "oci:" + images + "/small"), ("multi", "oci:" + images + "/multi:latest"),
                          ("multi-oci-archive", "oci-archive:" + images + "/multi.oci.tar"),
                          ("multi-docker-archive", "docker-archive:" + images + "/multi.docker.tar")]:
            out = os.path.join(work, "out-" + name)
            r = run([ref, "--output", out, "--tee", "none", "--json"], env)
            check(r.returncode == 0, f"{name}: exit 0 ({r.stderr.strip()})")
            if r.returncode != 0:
                continue
            summary = json.loads(r.stdout)
            workload = json.load(open(os.path.join(out, "workload.json")))
            squash = os.path.join(out, "rootfs.squashfs")
            check(r.stderr == "", f"{name}: nothing on stderr when it is not a terminal ({r.stderr!r})")
            want_outputs = [{"file": p, "size": os.path.getsize(p), "sha256": hashlib.sha256(open(p, "rb").read()).hexdigest()}
                            for p in (squash, os.path.join(out, "workload.json"))]
            timings = summary.get("timings_s", {})
            check(summary.get("outputs") == want_outputs and summary.get("workload_id") == workload["workload_id"] and
                  summary.get("tee") == "none" and summary.get("registered") is False and "measurement" not in summary,
                  f"{name}: --json lists the outputs (size, sha256), workload id, tee, registered false")
            check(list(timings) == ["checking", "reading image", "reading layers", "squashfs", "dm-verity",
                                    "workload.json", "total"] and all(isinstance(v, (int, float)) and v >= 0
                                                                      for v in timings.values()),
                  f"{name}: --json has the time of every stage ({timings})")
            check(workload == summary["workload"] and workload["entrypoint"] == ["/bin/busybox"] and
                  workload["rootfs"]["sha256"] == hashlib.sha256(open(squash, "rb").read()).hexdigest(),
                  f"{name}: workload.json has the process and the squashfs's sha256")
            outputs[name] = open(squash, "rb").read()
            expected = json.load(open(os.path.join(images, name.split("-")[0] + ".expected.json")))
            compare_tree(name, *squashfs_tree(squash), expected)
        check(len(set(outputs.get(n) for n in ("multi", "multi-oci-archive", "multi-docker-archive"))) == 1,
              "multi: oci:, oci-archive: and docker-archive: give byte-identical squashfs")
        again = os.path.join(work, "out-again")
        run(["oci:" + images + "/multi", "--output", again, "--tee", "none"], env)
        check(open(os.path.join(again, "rootfs.squashfs"), "rb").read() == outputs.get("multi"),
              "multi: a second run is byte-identical")
        # Compressor threads return blocks out of order; the image must not depend on them.
        by_jobs = {}
        for jobs in ("1", "2", "7"):
            out = os.path.join(work, "out-blocks-" + jobs)
            r = run(["oci:" + images + "/blocks", "--output", out, "--tee", "none", "--jobs", jobs], env)
            check(r.returncode == 0, f"blocks --jobs {jobs}: exit 0 ({r.stderr.strip()})")
            if r.returncode == 0:
                by_jobs[jobs] = open(os.path.join(out, "rootfs.squashfs"), "rb").read()
        if "1" in by_jobs:
            compare_tree("blocks", *squashfs_tree(os.path.join(work, "out-blocks-1", "rootfs.squashfs")),
                         json.load(open(os.path.join(images, "blocks.expected.json"))))
        check(len(by_jobs) == 3 and len(set(by_jobs.values())) == 1,
              "blocks: --jobs 1, 2 and 7 give byte-identical squashfs")
        out = os.path.join(work, "out-blocks-level")
        r = run(["oci:" + images + "/blocks", "--output", out, "--tee", "none", "--compression-level", "1"], env)
        check(r.returncode == 0, f"blocks --compression-level 1: exit 0 ({r.stderr.strip()})")
        if r.returncode == 0:
            fast = os.path.join(out, "rootfs.squashfs")
            check(open(fast, "rb").read() != by_jobs.get("1"), "blocks: --compression-level 1 writes another image")
            compare_tree("blocks level 1", *squashfs_tree(fast),
                         json.load(open(os.path.join(images, "blocks.expected.json"))))
        for option, bad in (("--jobs", "0"), ("--jobs", "257"), ("--jobs", "x"), ("--compression-level", "0"),
                            ("--compression-level", "23")):
            r = run(["oci:" + images + "/blocks", "--output", os.path.join(work, "out-bad"), "--tee", "none",
                     option, bad], env)
            named = bad if bad == "x" else option[2:]  # cxxopts names the value it cannot parse, not the option
            check(r.returncode == 2 and named in r.stderr and len(r.stderr.strip().splitlines()) == 1 and
                  not os.path.exists(os.path.join(work, "out-bad")),
                  f"{option} {bad}: usage error, nothing written ({r.stderr.strip()})")
        nested = os.path.join(work, "new", "parents", "out")
        r = run(["oci:" + images + "/small", "--output", nested, "--tee", "none"], env)
        check(r.returncode == 0 and os.path.exists(os.path.join(nested, "rootfs.squashfs")),
              f"--output with missing parents: created ({r.stderr.strip()})")
        afile = os.path.join(work, "a-file")
        open(afile, "w").close()
        r = run(["oci:" + images + "/small", "--output", os.path.join(afile, "out"), "--tee", "none"], env)
        check(r.returncode == 1 and r.stderr.strip() == f"oci2cw: --output {afile}/out: {afile} is not a directory",
              f"--output under a file: one line naming it ({r.stderr.strip()})")
        check(os.listdir(tmpdir) == [], "staging directories under $TMPDIR are removed")

        # On a terminal: one line rewritten in place (\r ... erase to end of line), cleared at the end.
        import pty
        master, slave = pty.openpty()
        p = subprocess.Popen([OCI2CW, "oci:" + images + "/multi", "--output", os.path.join(work, "out-pty"), "--tee",
                              "none"], stderr=slave, stdout=subprocess.DEVNULL, env=env)
        os.close(slave)
        shown = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
        p.wait()
        os.close(master)
        text = shown.decode(errors="replace")
        check(p.returncode == 0 and "\roci2cw: reading layers  layer 1/3" in text and "\roci2cw: squashfs  layer" in text
              and " / " in text and "\n" not in text and text.endswith("\r\x1b[K"),
              f"terminal: a progress line with stage, layer i/n and bytes, cleared at the end ({text[:200]!r})")

        hostile = json.load(open(os.path.join(images, "hostile.json")))
        for name, needle in hostile.items():
            out = os.path.join(work, "out-hostile-" + name)
            before = set(os.listdir(work))
            r = run(["oci:" + images + "/hostile-" + name, "--output", out, "--tee", "none"], env)
            lines = r.stderr.strip().splitlines()
            check(r.returncode == 1 and len(lines) == 1 and needle in lines[0] and "layer 1 (sha256:" in lines[0],
                  f"hostile {name}: exit 1, one line naming {needle}: {r.stderr.strip()}")
            check(not os.path.exists(os.path.join(out, "rootfs.squashfs")) and set(os.listdir(work)) - before <= {
                os.path.basename(out)} and os.listdir(tmpdir) == [], f"hostile {name}: nothing written")

        # One flipped byte in the first layer, then in the config.
        manifest = None
        for kind in ("layer", "config"):
            bad = os.path.join(work, "corrupt-" + kind)
            shutil.copytree(os.path.join(images, "multi"), bad)
            index = json.load(open(os.path.join(bad, "index.json")))
            mdigest = index["manifests"][0]["digest"].split(":")[1]
            manifest = json.load(open(os.path.join(bad, "blobs/sha256", mdigest)))
            blob = (manifest["layers"][0] if kind == "layer" else manifest["config"])["digest"].split(":")[1]
            path = os.path.join(bad, "blobs/sha256", blob)
            data = bytearray(open(path, "rb").read())
            data[len(data) // 2] ^= 0x01
            open(path, "wb").write(data)
            r = run(["oci:" + bad, "--output", os.path.join(work, "out-corrupt-" + kind), "--tee", "none"], env)
            check(r.returncode == 1 and "digest mismatch" in r.stderr and len(r.stderr.strip().splitlines()) == 1,
                  f"corrupt {kind}: digest error: {r.stderr.strip()}")

        # Multi-platform indexes, flat and nested: linux/amd64 by default, --platform to choose.
        for ref in ("oci:" + images + "/multiarch", "oci-archive:" + images + "/multiarch.oci.tar",
                    "oci:" + images + "/multiarch-nested"):
            for platform, want in ((None, "amd64"), ("linux/arm64", "arm64"), ("linux/arm64/v8", "arm64"),
                                   ("linux/amd64", "amd64")):
                out = os.path.join(work, "out-arch")
                r = run([ref, "--output", out, "--tee", "none", "--workload-id", "arch"] +
                        (["--platform", platform] if platform else []), env)
                tree, _ = squashfs_tree(os.path.join(out, "rootfs.squashfs")) if r.returncode == 0 else ({}, [])
                check(r.returncode == 0 and tree.get("arch", {}).get("sha256") == hashlib.sha256(
                    want.encode() + b"\n").hexdigest(), f"{ref} --platform {platform}: the {want} image ({r.stderr.strip()})")
            r = run([ref, "--output", os.path.join(work, "x"), "--tee", "none", "--workload-id", "arch", "--platform",
                     "linux/s390x"], env)
            check(r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and
                  "no manifest for linux/s390x (it has linux/amd64, linux/arm64/v8" in r.stderr,
                  f"{ref} --platform linux/s390x: refused in one line ({r.stderr.strip()})")
        r = run(["oci:" + images + "/multiarch", "--output", os.path.join(work, "x"), "--tee", "none", "--platform",
                 "amd64"], env)
        check(r.returncode == 2 and "OS/ARCH" in r.stderr, f"--platform amd64: exit 2 ({r.stderr.strip()})")

        r = run(["oci:" + images + "/small", "--output", os.path.join(work, "x"), "--tee", "bogus"], env)
        check(r.returncode == 2 and "--tee must be" in r.stderr, "--tee bogus: exit 2")
        check(run(["oci:" + images + "/small", "--tee", "none"], env).returncode == 2, "missing --output: exit 2")
        check(run(["--bogus"], env).returncode == 2, "unknown option: exit 2")
        r = run(["nope:x", "--output", os.path.join(work, "x"), "--tee", "none"], env)
        check(r.returncode == 1 and "image reference" in r.stderr, "bad image reference: exit 1")
        no_podman = os.path.join(work, "no-podman-path")
        os.mkdir(no_podman)
        r = run(["containers-storage:alpine", "--output", os.path.join(work, "x"), "--tee", "none"],
                dict(env, PATH=no_podman))
        check(r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and "needs podman" in r.stderr and
              not os.path.exists(os.path.join(work, "x")), f"containers-storage: without podman: one line ({r.stderr.strip()})")
        # A stand-in podman (the real one is tested by podman-tests.py where it works): `save`
        # copies multi.oci.tar to -o FILE, `load` records its arguments; anything else fails.
        fake = os.path.join(work, "fake-podman")
        os.mkdir(fake)
        with open(os.path.join(fake, "podman"), "w") as f:
            f.write("#!/bin/sh\necho \"$@\" >> %s/calls\n"
                    "if [ \"$1\" = save ] && [ \"$7\" = localhost/multi:latest ]; then cp %s/multi.oci.tar \"$6\"; exit 0; fi\n"
                    "if [ \"$1\" = load ]; then exit 0; fi\necho \"Error: no such image\" >&2; exit 125\n"
                    % (fake, images))
        os.chmod(os.path.join(fake, "podman"), 0o755)
        fenv = dict(env, PATH=fake + ":" + env["PATH"])
        out = os.path.join(work, "out-cs")
        r = run(["containers-storage:localhost/multi:latest", "--output", out, "--tee", "none", "--output-image",
                 "oci-archive:" + os.path.join(work, "cs.tar"), "--podman-load"], fenv)
        calls = open(os.path.join(fake, "calls")).read().splitlines() if os.path.exists(os.path.join(fake, "calls")) else []
        check(r.returncode == 0 and open(os.path.join(out, "rootfs.squashfs"), "rb").read() == outputs.get("multi") and
              len(calls) == 2 and calls[0].startswith("save --quiet --format oci-archive -o ") and
              calls[0].endswith(" localhost/multi:latest") and calls[1] == "load -i " + os.path.join(work, "cs.tar") and
              os.listdir(tmpdir) == [], f"containers-storage: through podman save, then podman load ({calls}, {r.stderr.strip()})")
        r = run(["containers-storage:localhost/nope", "--output", os.path.join(work, "x"), "--tee", "none"], fenv)
        check(r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and "Error: no such image" in r.stderr,
              f"containers-storage: podman's error in one line ({r.stderr.strip()})")
        r = run(["containers-storage:-rf", "--output", os.path.join(work, "x"), "--tee", "none"], fenv)
        check(r.returncode == 1 and "not an image name" in r.stderr, "containers-storage: an option is not a name")

        if shutil.which("umoci"):
            bundle = os.path.join(work, "umoci-bundle")
            u = subprocess.run(["umoci", "unpack", "--image", images + "/multi-gzip:latest", bundle], capture_output=True,
                               text=True)
            check(u.returncode == 0, f"umoci unpack ({u.stderr.strip()[:200]})")
            if u.returncode == 0:
                rootfs = os.path.join(bundle, "rootfs")
                umoci = {}
                for dirpath, dirs, files in os.walk(rootfs):
                    for n in dirs + files:
                        p = os.path.join(dirpath, n)
                        umoci[os.path.relpath(p, rootfs)] = os.lstat(p)
                tree, _ = squashfs_tree(os.path.join(work, "out-multi", "rootfs.squashfs"))
                check(sorted(umoci) == sorted(tree), f"umoci: same paths ({sorted(set(umoci) ^ set(tree))})")
                diffs = [p for p, st in umoci.items() if p in tree and
                         (st.st_mode & 0o7777, st.st_uid, st.st_gid) != (tree[p]["mode"], tree[p]["uid"], tree[p]["gid"])]
                check(not diffs, f"umoci: same modes and owners ({diffs})")
        else:
            print("skip umoci comparison: umoci not installed")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(checks.summary())


main()
