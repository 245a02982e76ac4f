#!/usr/bin/env python3
"""Writes test images for oci2cw from scratch (tarfile + hashlib, gzip/zstd):

  small/         OCI layout: busybox-static and symlinks to it (one gzip layer)
  multi/         OCI layout: three layers (gzip, zstd, uncompressed) exercising whiteouts,
                 opaque dirs, hard links, symlinks, xattrs, devices, modes, owners, mtimes;
                 multi.expected.json is the tree oci2cw must produce
  multi.oci.tar, multi.docker.tar   the same image as oci-archive and docker-archive
  hostile-NAME/  one refused layer each; hostile.json maps NAME -> text the error must contain
  multiarch/     OCI layout whose index.json lists linux/amd64 and linux/arm64/v8 manifests
                 (each image's /arch says which); multiarch.oci.tar the same as oci-archive
  multiarch-nested/  index.json -> one nested image index -> the same two manifests

Usage: make-test-images.py OUTDIR
"""
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile

MTIME = 1700000000
BUSYBOX = "/bin/busybox"


def entry(name, kind="file", data=b"", mode=0o644, uid=0, gid=0, mtime=MTIME, target="", xattrs=None,
          dev=(0, 0)):
    return dict(name=name, kind=kind, data=data, mode=mode, uid=uid, gid=gid, mtime=mtime, target=target,
                xattrs=xattrs or {}, dev=dev)


def make_tar(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for e in entries:
            info = tarfile.TarInfo(e["name"])
            info.mode, info.uid, info.gid, info.mtime = e["mode"], e["uid"], e["gid"], e["mtime"]
            info.uname = info.gname = ""
            info.type = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE,
                         "hardlink": tarfile.LNKTYPE, "char": tarfile.CHRTYPE, "block": tarfile.BLKTYPE,
                         "fifo": tarfile.FIFOTYPE}[e["kind"]]
            info.linkname = e["target"]
            info.devmajor, info.devminor = e["dev"]
            info.pax_headers = {"SCHILY.xattr." + k: v for k, v in e["xattrs"].items()}
            if e["kind"] == "file":
                info.size = len(e["data"])
                tar.addfile(info, io.BytesIO(e["data"]))
            else:
                tar.addfile(info)
    return buf.getvalue()


def compress(data, how):
    if how == "gzip":
        return gzip.compress(data, mtime=0)
    if how == "zstd":
        return subprocess.run(["zstd", "-q", "-c", "-19"], input=data, stdout=subprocess.PIPE, check=True).stdout
    return data


MEDIA = {"gzip": "application/vnd.oci.image.layer.v1.tar+gzip", "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
         "none": "application/vnd.oci.image.layer.v1.tar"}


def sha(b):
    return hashlib.sha256(b).hexdigest()


def config_for(tars):
    return json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Entrypoint": ["/bin/busybox"], "Cmd": ["sh"], "Env": ["PATH=/bin"], "WorkingDir": "/",
                   "User": "0:0"},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha(t) for t in tars]},
    }, sort_keys=True).encode()


def put_blob(layout, data):
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(layout, "blobs", "sha256", sha(data)), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + sha(data), "size": len(data)}


def write_oci(layout, layers, tag="latest", config=None):
    """layers: [(tar bytes, compression)]"""
    os.makedirs(layout, exist_ok=True)
    tars = [t for t, _ in layers]
    config = config if config is not None else config_for(tars)
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": dict(mediaType="application/vnd.oci.image.config.v1+json", **put_blob(layout, config)),
                "layers": [dict(mediaType=MEDIA[c], **put_blob(layout, compress(t, c))) for t, c in layers]}
    mbytes = json.dumps(manifest, sort_keys=True).encode()
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": [dict(mediaType=manifest["mediaType"], annotations={"org.opencontainers.image.ref.name": tag},
                                **put_blob(layout, mbytes))]}
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump(index, f)
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    return manifest


def put_manifest(layout, layers, platform):
    """A manifest for `layers` in `layout`; returns its index entry for `platform` (os, arch[, variant])."""
    tars = [t for t, _ in layers]
    config = json.dumps(dict(json.loads(config_for(tars)), architecture=platform[1]), sort_keys=True).encode()
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": dict(mediaType="application/vnd.oci.image.config.v1+json", **put_blob(layout, config)),
                "layers": [dict(mediaType=MEDIA[c], **put_blob(layout, compress(t, c))) for t, c in layers]}
    plat = {"os": platform[0], "architecture": platform[1]}
    if len(platform) > 2:
        plat["variant"] = platform[2]
    return dict(mediaType=manifest["mediaType"], platform=plat,
                **put_blob(layout, json.dumps(manifest, sort_keys=True).encode()))


def write_multiarch(out):
    for name, nested in (("multiarch", False), ("multiarch-nested", True)):
        layout = os.path.join(out, name)
        os.makedirs(layout, exist_ok=True)
        entries = [put_manifest(layout, [(make_tar([entry("arch", data=arch.encode() + b"\n")]), "gzip")], plat)
                   for arch, plat in (("amd64", ("linux", "amd64")), ("arm64", ("linux", "arm64", "v8")))]
        index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": entries}
        if nested:
            inner = json.dumps(index, sort_keys=True).encode()
            index = {"schemaVersion": 2, "mediaType": index["mediaType"],
                     "manifests": [dict(mediaType=index["mediaType"], **put_blob(layout, inner),
                                        annotations={"org.opencontainers.image.ref.name": "latest"})]}
        with open(os.path.join(layout, "index.json"), "w") as f:
            json.dump(index, f)
        with open(os.path.join(layout, "oci-layout"), "w") as f:
            json.dump({"imageLayoutVersion": "1.0.0"}, f)
    write_oci_archive(os.path.join(out, "multiarch"), os.path.join(out, "multiarch.oci.tar"))


def write_oci_archive(layout, path):
    with tarfile.open(path, "w") as tar:
        for name in sorted(os.listdir(layout)):
            tar.add(os.path.join(layout, name), arcname=name)


def write_docker_archive(layers, path):
    tars = [t for t, _ in layers]
    config = config_for(tars)
    files = {sha(config) + ".json": config}
    names = []
    for t in tars:
        names.append(sha(t) + "/layer.tar")
        files[names[-1]] = t
    files["manifest.json"] = json.dumps([{"Config": sha(config) + ".json", "RepoTags": ["test:latest"],
                                          "Layers": names}]).encode()
    with tarfile.open(path, "w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def small_image(out):
    with open(BUSYBOX, "rb") as f:
        busybox = f.read()
    layer = make_tar([entry("bin", "dir", mode=0o755), entry("bin/busybox", data=busybox, mode=0o755),
                      entry("bin/sh", "symlink", target="busybox", mode=0o777),
                      entry("bin/ls", "symlink", target="/bin/busybox", mode=0o777)])
    write_oci(os.path.join(out, "small"), [(layer, "gzip")])
    write_oci_archive(os.path.join(out, "small"), os.path.join(out, "small.oci.tar"))
    expected = {
        "": dict(type="dir", mode=0o755, uid=0, gid=0),
        "bin": dict(type="dir", mode=0o755, uid=0, gid=0),
        "bin/busybox": dict(type="file", mode=0o755, uid=0, gid=0, sha256=sha(busybox)),
        "bin/sh": dict(type="symlink", mode=0o777, uid=0, gid=0, target="busybox"),
        "bin/ls": dict(type="symlink", mode=0o777, uid=0, gid=0, target="/bin/busybox"),
    }
    with open(os.path.join(out, "small.expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)


def blocks_image(out):
    """Files of many 128 KiB blocks, some compressible and some not, with tails that become
    fragments, and duplicates: what the squashfs writer's compressor threads must return in
    order for the image to be the same for any --jobs."""
    import random
    rng = random.Random(7)
    files = [entry("data", "dir", mode=0o755)]
    expected = {"": dict(type="dir", mode=0o755, uid=0, gid=0), "data": dict(type="dir", mode=0o755, uid=0, gid=0)}
    for i in range(12):
        size = rng.randrange(1, 9) * 131072 + rng.randrange(0, 131072)
        if i % 3 == 0:
            data = rng.randbytes(size)
        else:
            data = b"".join(b"line %d of file %d\n" % (n, i) for n in range(size // 16))[:size]
        if i == 11:
            data = files[2]["data"]  # a duplicate of an earlier file
        name = f"data/f{i:02d}"
        files.append(entry(name, data=data))
        expected[name] = dict(type="file", mode=0o644, uid=0, gid=0, sha256=sha(data))
    write_oci(os.path.join(out, "blocks"), [(make_tar(files), "zstd")])
    with open(os.path.join(out, "blocks.expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)


def multi_layers():
    l0 = make_tar([
        entry("./", "dir", mode=0o755),
        entry("etc", "dir", mode=0o755),
        entry("etc/passwd", data=b"root:x:0:0::/root:/bin/sh\n"),
        entry("etc/replaced", data=b"old\n"),
        entry("etc/shadow", data=b"secret\n", mode=0o600, uid=0, gid=42),
        entry("home/user/notes", data=b"notes\n", mode=0o640, uid=1000, gid=1000, mtime=1600000000),
        entry("gone", "dir", mode=0o755),
        entry("gone/file", data=b"x"),
        entry("deleted", data=b"delete me"),
        entry("opq", "dir", mode=0o755),
        entry("opq/lower", data=b"lower"),
        entry("usr/bin/tool", data=b"#!/bin/sh\necho tool\n", mode=0o4755),
        entry("usr/bin/tool-link", "hardlink", target="usr/bin/tool", mode=0o4755),
        entry("dev/null", "char", mode=0o666, dev=(1, 3)),
        entry("dev/sda", "block", mode=0o660, gid=6, dev=(8, 0)),
        entry("run/fifo", "fifo", mode=0o600),
        entry("tmp", "dir", mode=0o1777),
        entry("xattr-file", data=b"attrs", xattrs={"user.comment": "hello", "trusted.overlay.x": "y"}),
        entry("link-rel", "symlink", target="etc/passwd", mode=0o777),
    ])
    l1 = make_tar([
        entry("etc/replaced", data=b"new\n", mode=0o600, uid=5, gid=5),
        entry("etc/.wh.shadow"),
        entry(".wh.gone"),
        entry(".wh.deleted"),
        entry("opq/.wh..wh..opq"),
        entry("opq/upper", data=b"upper"),
        entry("lower-hardlink", "hardlink", target="etc/passwd"),
        entry("home", "dir", mode=0o711, uid=0, gid=0, mtime=1650000000),
    ])
    l2 = make_tar([
        entry("empty", data=b""),
        entry("link-abs", "symlink", target="/nonexistent/target", mode=0o777),
        entry("gone", "dir", mode=0o700),
    ])
    return [(l0, "gzip"), (l1, "zstd"), (l2, "none")]


def multi_expected():
    d = lambda mode=0o755, **kw: dict(type="dir", mode=mode, uid=kw.get("uid", 0), gid=kw.get("gid", 0))
    f = lambda data, mode=0o644, uid=0, gid=0, **kw: dict(type="file", mode=mode, uid=uid, gid=gid, sha256=sha(data),
                                                          **kw)
    return {
        "": d(), "etc": d(), "home": dict(d(0o711), mtime=1650000000), "home/user": d(), "usr": d(), "usr/bin": d(), "dev": d(),
        "run": d(), "tmp": d(0o1777), "opq": d(), "gone": d(0o700),
        "etc/passwd": f(b"root:x:0:0::/root:/bin/sh\n", link_group="passwd"),
        "lower-hardlink": f(b"root:x:0:0::/root:/bin/sh\n", link_group="passwd"),
        "etc/replaced": f(b"new\n", 0o600, 5, 5),
        "home/user/notes": f(b"notes\n", 0o640, 1000, 1000, mtime=1600000000),
        "opq/upper": f(b"upper"),
        "usr/bin/tool": f(b"#!/bin/sh\necho tool\n", 0o4755, link_group="tool"),
        "usr/bin/tool-link": f(b"#!/bin/sh\necho tool\n", 0o4755, link_group="tool"),
        "dev/null": dict(type="char", mode=0o666, uid=0, gid=0, dev=[1, 3]),
        "dev/sda": dict(type="block", mode=0o660, uid=0, gid=6, dev=[8, 0]),
        "run/fifo": dict(type="fifo", mode=0o600, uid=0, gid=0),
        "xattr-file": f(b"attrs", xattrs={"user.comment": "hello", "trusted.overlay.x": "y"}),
        "link-rel": dict(type="symlink", mode=0o777, uid=0, gid=0, target="etc/passwd"),
        "link-abs": dict(type="symlink", mode=0o777, uid=0, gid=0, target="/nonexistent/target"),
        "empty": f(b""),
    }


def hostile_images(out):
    # A lower layer, so that refusals of whiteouts and links through symlinks meet a real tree.
    base = make_tar([entry("etc", "dir", mode=0o755), entry("etc/passwd", data=b"x"),
                     entry("lower-link", "symlink", target="/etc")])
    cases = {
        "dotdot": ([entry("../escape", data=b"x")], '"../escape"'),
        "dotdot-inner": ([entry("etc/../../escape", data=b"x")], '"etc/../../escape"'),
        "through-symlink": ([entry("lnk", "symlink", target="/tmp"), entry("lnk/evil", data=b"x")], '"lnk/evil"'),
        "through-symlink-dotdot": ([entry("up", "symlink", target=".."), entry("up/evil", data=b"x")], '"up/evil"'),
        "whiteout-slash": ([entry("etc/.wh.x/y", data=b"")], '"etc/.wh.x/y"'),
        "whiteout-through-symlink": ([entry("lower-link/.wh.passwd")], '"lower-link/.wh.passwd"'),
        "write-through-lower-symlink": ([entry("lower-link/shadow", data=b"x")], '"lower-link/shadow"'),
        "hardlink-missing": ([entry("h", "hardlink", target="nope")], '"h"'),
        "hardlink-dir": ([entry("h", "hardlink", target="etc")], '"h"'),
        "hardlink-self": ([entry("h", "hardlink", target="h")], '"h"'),
        "hardlink-escape": ([entry("h", "hardlink", target="../../etc/shadow")], '"h"'),
        "duplicate": ([entry("dup", data=b"1"), entry("./dup", data=b"2")], '"./dup"'),
        "aufs-metadata": ([entry(".wh..wh.plnk", "dir")], '".wh..wh.plnk"'),
        "parent-not-dir": ([entry("etc/passwd/x", data=b"")], '"etc/passwd/x"'),
    }
    for name, (extra, needle) in cases.items():
        write_oci(os.path.join(out, "hostile-" + name), [(base, "gzip"), (make_tar(extra), "gzip")])
    # Truncated: a header promising more bytes than the stream holds.
    tar = make_tar([entry("big", data=b"y" * 5000)])
    cut = tar[:tar.index(b"y" * 5000) + 1000]
    write_oci(os.path.join(out, "hostile-truncated"), [(base, "gzip"), (cut, "gzip")])
    cases["truncated"] = (None, '"big"')
    with open(os.path.join(out, "hostile.json"), "w") as f:
        json.dump({k: v[1] for k, v in cases.items()}, f, indent=1)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    small_image(out)
    blocks_image(out)
    layers = multi_layers()
    write_oci(os.path.join(out, "multi"), layers)
    write_oci_archive(os.path.join(out, "multi"), os.path.join(out, "multi.oci.tar"))
    # Debian's umoci reads gzip layers only: the same tree for the comparison with it.
    write_oci(os.path.join(out, "multi-gzip"), [(t, "gzip") for t, _ in layers])
    # docker-archive layers are uncompressed tars verified by the diff_ids alone.
    write_docker_archive(layers, os.path.join(out, "multi.docker.tar"))
    with open(os.path.join(out, "multi.expected.json"), "w") as f:
        json.dump(multi_expected(), f, indent=1, sort_keys=True)
    hostile_images(out)
    write_multiarch(out)


if __name__ == "__main__":
    main()
