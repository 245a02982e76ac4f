#!/usr/bin/env python3
"""Builds guest-init's initramfs: /init (the dynamically linked cw-guest-init), the shared
libraries ldd resolves for it and the dynamic loader, at the paths ldd names (the loader
searches the same multiarch directories in the guest), plus the directories and the console
node the boot needs. Reproducible: entries are sorted by path and guest/mkcpio.py writes
mtime 0, owner root and inode numbers by position; /init is a stripped copy. The output
changes only when the binary or the host's library files change.

  mkinitramfs.py OUT.cpio GUEST_INIT MKCPIO
"""
import os
import re
import subprocess
import sys


def shared_objects(binary):
    out = subprocess.run(["ldd", binary], check=True, capture_output=True, text=True).stdout
    paths = set()
    for line in out.splitlines():
        line = line.strip()
        m = re.match(r"\S+ => (/\S+) \(0x[0-9a-f]+\)$", line) or re.match(r"(/\S+) \(0x[0-9a-f]+\)$", line)
        if m:
            paths.add(m.group(1))
        elif "=> not found" in line:
            sys.exit(f"mkinitramfs: {binary}: {line}")
    if not any("ld-linux" in p for p in paths):
        sys.exit(f"mkinitramfs: ldd found no dynamic loader for {binary}")
    return sorted(paths)


def main():
    out, binary, mkcpio = sys.argv[1:4]
    libs = shared_objects(binary)
    dirs = {"/dev", "/proc", "/sys", "/run", "/cw", "/tmp"}
    for lib in libs:
        d = os.path.dirname(lib)
        while d != "/":
            dirs.add(d)
            d = os.path.dirname(d)
    entries = [(d, f"dir:{d}:{'1777' if d == '/tmp' else '755'}") for d in dirs]
    entries.append(("/dev/console", "nod:/dev/console:600:c:5:1"))
    # The build keeps debug info (-g); the initramfs gets a stripped copy beside OUT.
    stripped = out + ".init"
    subprocess.run(["strip", "--strip-all", "-o", stripped, binary], check=True)
    entries.append(("/init", f"file:/init:755:{stripped}"))
    for lib in libs:
        if ":" in lib:
            sys.exit(f"mkinitramfs: a library path with ':' ({lib})")
        entries.append((lib, f"file:{lib}:755:{os.path.realpath(lib)}"))
    entries.sort()
    subprocess.run([sys.executable, mkcpio, out] + [e for _, e in entries], check=True)


if __name__ == "__main__":
    main()
