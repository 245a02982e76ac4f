#!/usr/bin/env python3
"""Writes an initramfs (cpio "newc") reproducibly and without root: fixed inode numbers,
mtime 0, owner root. Device nodes are described, not created on the host.

  mkcpio.py OUT.cpio ENTRY...
  ENTRY:  dir:PATH:MODE | file:PATH:MODE:SOURCE | nod:PATH:MODE:c|b:MAJOR:MINOR | slink:PATH:TARGET
"""
import stat
import sys


def header(ino, mode, nlink, size, rdev_major, rdev_minor, name):
    name_bytes = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, rdev_major, rdev_minor, len(name_bytes), 0]
    h = b"070701" + b"".join(b"%08x" % f for f in fields) + name_bytes
    return h + b"\0" * (-len(h) % 4)


def main():
    out, entries = sys.argv[1], sys.argv[2:]
    blob = bytearray()
    for ino, entry in enumerate(entries, start=1):
        kind, path, *rest = entry.split(":")
        name = path.lstrip("/")
        data, rdev = b"", (0, 0)
        if kind == "dir":
            mode, nlink = stat.S_IFDIR | int(rest[0], 8), 2
        elif kind == "file":
            mode, nlink = stat.S_IFREG | int(rest[0], 8), 1
            with open(rest[1], "rb") as f:
                data = f.read()
        elif kind == "nod":
            mode = (stat.S_IFCHR if rest[1] == "c" else stat.S_IFBLK) | int(rest[0], 8)
            nlink, rdev = 1, (int(rest[2]), int(rest[3]))
        elif kind == "slink":
            mode, nlink, data = stat.S_IFLNK | 0o777, 1, rest[0].encode()
        else:
            sys.exit(f"mkcpio: unknown entry kind '{kind}' in '{entry}'")
        blob += header(ino, mode, nlink, len(data), rdev[0], rdev[1], name) + data
        blob += b"\0" * (-len(blob) % 4)
    blob += header(0, 0, 1, 0, 0, 0, "TRAILER!!!")
    blob += b"\0" * (-len(blob) % 512)
    with open(out, "wb") as f:
        f.write(blob)


if __name__ == "__main__":
    main()
