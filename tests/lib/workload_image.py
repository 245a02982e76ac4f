"""Small OCI images for tests and benchmarks that boot workloads: busybox-static with /bin/sh
and /bin/id, an /etc/passwd and /etc/group with root and app (1000), and the process given.
Built from scratch with tools/oci2cw/tests/make-test-images.py's writers (no registry)."""
import importlib.util
import json
import os

_SOURCE = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def _writers():
    spec = importlib.util.spec_from_file_location(
        "make_test_images", os.path.join(_SOURCE, "tools/oci2cw/tests/make-test-images.py"))
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m


def make_busybox_image(layout, entrypoint, cmd=(), env=("PATH=/bin",), user="", working_dir="/"):
    m = _writers()
    busybox = open(m.BUSYBOX, "rb").read()
    layer = m.make_tar([
        m.entry("bin", "dir", mode=0o755), m.entry("bin/busybox", data=busybox, mode=0o755),
        m.entry("bin/sh", "symlink", target="busybox", mode=0o777),
        m.entry("bin/id", "symlink", target="busybox", mode=0o777),
        m.entry("bin/sleep", "symlink", target="busybox", mode=0o777),
        m.entry("etc", "dir", mode=0o755),
        m.entry("etc/passwd", data=b"root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n"),
        m.entry("etc/group", data=b"root:x:0:\napp:x:1000:\n")])
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Entrypoint": list(entrypoint), "Cmd": list(cmd), "Env": list(env), "WorkingDir": working_dir,
                   "User": user},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + m.sha(layer)]}}, sort_keys=True).encode()
    m.write_oci(layout, [(layer, "gzip")], config=config)
