#!/usr/bin/env python3
"""oci2cw --output-image end to end (docs/disk-format.md, "The OCI image"):

- the oci-archive is consistent: index.json -> manifest -> config and layer, every digest
  and size checked here with hashlib, the diff_id against the decompressed layer, labels and
  Entrypoint as documented; oci2cw's own reader accepts it (oci-archive:FILE) and `umoci
  unpack` (if installed) and `skopeo inspect` (if installed) too;
- the layer holds exactly entrypoint, the disk, workload.json (and measurement.json when
  there is one), identical to the files in --output, every tar entry with mtime 0 and
  owner 0:0, in byte order;
- /entrypoint is static, under 1 MiB, and when run on the host prints its one line and exits 1;
- two runs give byte-identical archives (uncompressed and gzip);
- --podman-load without podman on PATH fails before the build with one line; the option
  combinations that make no sense are refused.

Usage: image-tests.py OCI2CW make-test-images.py
"""
import gzip
import hashlib
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tests", "lib"))
import checks  # noqa: E402
from checks import check  # noqa: E402

OCI2CW, MAKE_IMAGES = sys.argv[1], sys.argv[2]
PREFIX = "org.confidential-workloads."


def run(args, env=None):
    return subprocess.run([OCI2CW] + args, capture_output=True, text=True, env=env)


def sha(b):
    return hashlib.sha256(b).hexdigest()


def tiny_kernel(path):
    """An x86-64 ET_EXEC with one PT_LOAD at 16 MiB (what the ELF loader accepts; nothing boots it)."""
    load, off = 16 << 20, 0x1000
    ehdr = struct.pack("<16sHHIQQQIHHHHHH", b"\x7fELF\x02\x01\x01" + bytes(9), 2, 62, 1, load + 0x10, 64, 0,
                       0, 64, 56, 1, 64, 0, 0)
    phdr = struct.pack("<IIQQQQQQ", 1, 5, off, load + 0xffffffff80000000, load, 0x1000, 0x3000, 0x1000)
    with open(path, "wb") as f:
        f.write((ehdr + phdr).ljust(off, b"\0") + bytes((i * 7 + 3) & 0xFF for i in range(0x1000)))


def members(path):
    """name -> (TarInfo, bytes or None), in archive order."""
    out = {}
    with tarfile.open(path) as tar:
        for m in tar:
            out[m.name] = (m, tar.extractfile(m).read() if m.isfile() else None)
    return out


def check_archive(name, archive, out_dir, summary, expect_files, tee, workload_id, gzipped):
    """Walks the archive as a reader would, checking every digest; returns the layer's files."""
    files = members(archive)
    names = list(files)
    check(names == sorted(names) and all(m.mtime == 0 and m.uid == 0 and m.gid == 0 and not m.uname and not m.gname
                                         for m, _ in files.values()),
          f"{name}: archive entries sorted, mtime 0, owner 0:0 ({names})")
    blobs = {n.split("/")[-1]: d for n, (m, d) in files.items() if n.startswith("blobs/sha256/") and m.isfile()}
    check(all(sha(d) == h for h, d in blobs.items()), f"{name}: every blob's name is its sha256")
    check(json.loads(files["oci-layout"][1]) == {"imageLayoutVersion": "1.0.0"}, f"{name}: oci-layout")
    index = json.loads(files["index.json"][1])
    check(index["schemaVersion"] == 2 and index["mediaType"] == "application/vnd.oci.image.index.v1+json" and
          len(index["manifests"]) == 1, f"{name}: index.json has one manifest")
    md = index["manifests"][0]
    check(md["platform"] == {"architecture": "amd64", "os": "linux"} and
          md["annotations"]["org.opencontainers.image.ref.name"] == summary["image"]["name"],
          f"{name}: index names {summary['image']['name']} for linux/amd64")
    mbytes = blobs[md["digest"].split(":")[1]]
    check(len(mbytes) == md["size"] and md["digest"] == summary["image"]["manifest"], f"{name}: manifest size, digest")
    manifest = json.loads(mbytes)
    cbytes = blobs[manifest["config"]["digest"].split(":")[1]]
    check(len(cbytes) == manifest["config"]["size"] and manifest["config"]["digest"] == summary["image"]["config"],
          f"{name}: config size, digest")
    config = json.loads(cbytes)
    (layer_desc,) = manifest["layers"]
    lbytes = blobs[layer_desc["digest"].split(":")[1]]
    check(len(lbytes) == layer_desc["size"] and layer_desc["digest"] == summary["image"]["layer"],
          f"{name}: layer size, digest")
    want_media = "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if gzipped else "")
    check(layer_desc["mediaType"] == want_media, f"{name}: layer media type {want_media}")
    tar_bytes = gzip.decompress(lbytes) if gzipped else lbytes
    check(config["rootfs"] == {"type": "layers", "diff_ids": ["sha256:" + sha(tar_bytes)]} and
          summary["image"]["diff_id"] == "sha256:" + sha(tar_bytes), f"{name}: diff_id is the uncompressed layer's")
    workload_bytes = open(os.path.join(out_dir, "workload.json"), "rb").read()
    labels = {PREFIX + "workload-id": workload_id, PREFIX + "tee": tee, PREFIX + "format-version": "1",
              PREFIX + "rootfs": expect_files[0], PREFIX + "workload-sha256": sha(workload_bytes)}
    if "measurement.json" in expect_files:
        labels[PREFIX + "measurement"] = json.load(open(os.path.join(out_dir, "measurement.json")))["measurement"]
    check(config["config"] == {"Entrypoint": ["/entrypoint"], "Labels": labels} and
          manifest.get("annotations") == labels and config["os"] == "linux" and config["architecture"] == "amd64",
          f"{name}: Entrypoint /entrypoint and the labels {sorted(labels)}")
    layer = {}
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as tar:
        for m in tar:
            layer[m.name] = (m, tar.extractfile(m).read() if m.isfile() else None)
    want = sorted(expect_files + ["entrypoint"])
    check(list(layer) == want and all(m.isfile() and m.mtime == 0 and m.uid == 0 and m.gid == 0
                                      for m, _ in layer.values()),
          f"{name}: the layer holds exactly {want}, in order, mtime 0, owner 0:0 ({list(layer)})")
    for f in expect_files:
        check(layer.get(f, (None, None))[1] == open(os.path.join(out_dir, f), "rb").read(),
              f"{name}: layer's {f} is --output's")
    check(layer.get("entrypoint", (None,))[0] is not None and layer["entrypoint"][0].mode == 0o755,
          f"{name}: entrypoint mode 755")
    return layer


def check_entrypoint(work, data):
    path = os.path.join(work, "entrypoint")
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, 0o755)
    check(len(data) < (1 << 20), f"entrypoint: {len(data)} bytes, under 1 MiB")
    # A static ELF has no PT_INTERP program header.
    phoff, phentsize, phnum = struct.unpack_from("<Q", data, 32)[0], *struct.unpack_from("<HH", data, 54)
    types = [struct.unpack_from("<I", data, phoff + i * phentsize)[0] for i in range(phnum)]
    check(data[:4] == b"\x7fELF" and 3 not in types, "entrypoint: a static ELF (no PT_INTERP)")
    r = subprocess.run([path], capture_output=True, text=True)
    lines = (r.stdout + r.stderr).strip().splitlines()
    check(r.returncode == 1 and len(lines) == 1 and "podman run --runtime krun" in lines[0] and "cwrun" in lines[0],
          f"entrypoint: exit 1, one line naming podman run --runtime krun and cwrun ({lines})")


def main():
    work = tempfile.mkdtemp(prefix="oci2cw-image-test.")
    try:
        images = os.path.join(work, "images")
        subprocess.run([sys.executable, MAKE_IMAGES, images], check=True)
        small = "oci:" + images + "/small"

        # --tee none, uncompressed layer; twice, and once more with gzip twice.
        archives = {}
        for label, extra in [("none", []), ("none-again", []), ("gzip", ["--output-image-compression", "gzip"]),
                             ("gzip-again", ["--output-image-compression", "gzip"])]:
            out = os.path.join(work, "out-" + label)
            archive = os.path.join(work, label + ".tar")
            r = run([small, "--output", out, "--tee", "none", "--output-image", "oci-archive:" + archive, "--json"]
                    + extra)
            check(r.returncode == 0, f"{label}: exit 0 ({r.stderr.strip()})")
            if r.returncode != 0:
                continue
            summary = json.loads(r.stdout)
            check(summary["image"]["file"] == archive and summary["image"]["name"] == "localhost/small:latest" and
                  summary["image"]["size"] == os.path.getsize(archive) and
                  summary["image"]["sha256"] == sha(open(archive, "rb").read()) and
                  summary["image"]["podman_loaded"] is False, f"{label}: --json describes the archive")
            archives[label] = open(archive, "rb").read()
            check(not [n for n in os.listdir(work) if n.endswith(".partial")], f"{label}: no partial files left")
            if label in ("none", "gzip"):
                layer = check_archive(label, archive, out, summary, ["rootfs.squashfs", "workload.json"], "none",
                                      "small", label == "gzip")
                if label == "none" and "entrypoint" in layer:
                    check_entrypoint(work, layer["entrypoint"][1])
                # oci2cw's own reader: the archive is an image it accepts (every digest verified).
                back = os.path.join(work, "back-" + label)
                r2 = run(["oci-archive:" + archive, "--output", back, "--tee", "none"])
                check(r2.returncode == 0, f"{label}: oci2cw reads the archive back ({r2.stderr.strip()})")
        check(archives.get("none") is not None and archives.get("none") == archives.get("none-again"),
              "two runs give byte-identical archives")
        check(archives.get("gzip") is not None and archives.get("gzip") == archives.get("gzip-again"),
              "two gzip runs give byte-identical archives")

        if shutil.which("umoci"):
            layout = os.path.join(work, "layout")
            os.mkdir(layout)
            with tarfile.open(os.path.join(work, "gzip.tar")) as tar:
                tar.extractall(layout)
            bundle = os.path.join(work, "bundle")
            u = subprocess.run(["umoci", "unpack", "--rootless", "--image", layout + ":localhost/small:latest", bundle],
                               capture_output=True, text=True)
            check(u.returncode == 0 and sorted(os.listdir(os.path.join(bundle, "rootfs"))) ==
                  ["entrypoint", "rootfs.squashfs", "workload.json"], f"umoci unpack reads it ({u.stderr.strip()})")
        else:
            print("skip umoci: not installed")
        if shutil.which("skopeo"):
            s = subprocess.run(["skopeo", "inspect", "oci-archive:" + os.path.join(work, "none.tar")],
                               capture_output=True, text=True)
            check(s.returncode == 0 and json.loads(s.stdout)["Labels"][PREFIX + "workload-id"] == "small",
                  f"skopeo inspect reads it ({s.stderr.strip()})")
        else:
            print("skip skopeo inspect: not installed")

        # --tee sim with a kernel: disk.img and measurement.json in the image, a tag.
        tiny_kernel(os.path.join(work, "vmlinux"))
        out = os.path.join(work, "out-sim")
        archive = os.path.join(work, "sim.tar")
        r = run([small, "--output", out, "--tee", "sim", "--no-register", "--kernel", os.path.join(work, "vmlinux"),
                 "--workload-id", "app-1", "--output-image", "oci-archive:" + archive + ":v2", "--json"])
        check(r.returncode == 0, f"sim: exit 0 ({r.stderr.strip()})")
        if r.returncode == 0:
            summary = json.loads(r.stdout)
            check(summary["image"]["name"] == "localhost/app-1:v2", "sim: named localhost/app-1:v2")
            files = [os.path.join(out, f) for f in ("disk.img", "workload.json", "measurement.json")] + [archive]
            check([o["file"] for o in summary["outputs"]] == files and
                  all(o["size"] == os.path.getsize(o["file"]) and o["sha256"] == sha(open(o["file"], "rb").read())
                      for o in summary["outputs"]) and summary["tee"] == "sim" and summary["workload_id"] == "app-1" and
                  summary["registered"] is False and len(summary["measurement"]["measurement"]) == 96 and
                  {"measurement", "OCI image", "dm-verity + LUKS2", "total"} <= set(summary["timings_s"]),
                  f"sim: --json has every output, tee, workload id, measurement, registered false, stage timings")
            check_archive("sim", archive, out, summary, ["disk.img", "measurement.json", "workload.json"], "sim",
                          "app-1", False)

        # Refusals: one line, nothing built.
        empty_path = os.path.join(work, "empty-path")
        os.mkdir(empty_path)
        out = os.path.join(work, "out-podman")
        r = run([small, "--output", out, "--tee", "none", "--output-image", "oci-archive:" + os.path.join(work, "p.tar"),
                 "--podman-load"], dict(os.environ, PATH=empty_path))
        check(r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and "podman" in r.stderr and
              not os.path.exists(out), f"--podman-load without podman: one line, nothing written ({r.stderr.strip()})")
        for args, needle in [(["--podman-load"], "--podman-load needs --output-image"),
                             (["--output-image", "docker-archive:x.tar"], "oci-archive:FILE"),
                             (["--output-image", "oci-archive:x.tar:bad tag"], "not a valid tag"),
                             (["--output-image", "oci-archive:x.tar", "--output-image-compression", "zstd"],
                              "none or gzip")]:
            r = run([small, "--output", os.path.join(work, "x"), "--tee", "none"] + args)
            check(r.returncode == 2 and needle in r.stderr, f"{args}: exit 2 naming {needle} ({r.stderr.strip()})")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(checks.summary())


main()
