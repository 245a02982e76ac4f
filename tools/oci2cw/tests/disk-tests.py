#!/usr/bin/env python3
"""End-to-end checks of oci2cw's disks (docs/disk-format.md), with independent checkers:

--tee none: rootfs.squashfs = squashfs || dm-verity tree; `veritysetup verify` accepts it
  with the parameters workload.json records (and rejects it after one flipped byte); the
  squashfs still reads back; the same image gives the same bytes and root hash twice.
--tee sim/snp: disk.img = LUKS2. With a known secret passed on a pipe (--secret-fd):
  - `cryptsetup luksDump --dump-volume-key` (libcryptsetup, no device-mapper) yields the
    volume key; Python's AES-XTS with dm-crypt's IV rule (plain64, counted in 512-byte
    sectors, so 4096-byte sector k has IV 8k) decrypts every sector to exactly the
    --tee none rootfs.squashfs; the other IV rule (iv_large_sectors) does not;
  - cryptsetup's own user-space decryption (offline `reencrypt --decrypt` through a
    detached header holding the same volume key) gives the same bytes;
  - a wrong secret fails cleanly (`cryptsetup open --test-passphrase`, exit 2);
  - the header has the documented parameters; the secret is in no output file.
The in-guest `cryptsetup open` + dm-verity check needs the guest init (a later issue).

Usage: disk-tests.py OCI2CW make-test-images.py
"""
import hashlib
import importlib.util
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tests", "lib"))
import checks  # noqa: E402
from checks import check  # noqa: E402

OCI2CW, MAKE_IMAGES = sys.argv[1], sys.argv[2]
SECTOR = 4096


def load_image_maker():
    spec = importlib.util.spec_from_file_location("make_test_images", MAKE_IMAGES)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def random_image(mk, layout, size, seed):
    """One uncompressed layer with `size` incompressible bytes: a squashfs big enough for a
    multi-level verity tree."""
    data = random.Random(seed).randbytes(size)
    layer = mk.make_tar([mk.entry("data", "dir", mode=0o755), mk.entry("data/blob", data=data),
                         mk.entry("hello", data=b"hello\n")])
    mk.write_oci(layout, [(layer, "none")])


def oci2cw(args, secret=None):
    """Runs oci2cw; a secret goes through a pipe to --secret-fd."""
    if secret is None:
        return subprocess.run([OCI2CW] + args, capture_output=True, text=True)
    r, w = os.pipe()
    os.write(w, secret)
    os.close(w)
    try:
        return subprocess.run([OCI2CW] + args + ["--secret-fd", str(r)], capture_output=True, text=True,
                              pass_fds=(r,))
    finally:
        os.close(r)


def tool(*args):
    return subprocess.run(list(args), capture_output=True, text=True)


def verity_args(v):
    return ["--no-superblock", "--format=1", "--hash=" + v["hash"], "--data-block-size=%d" % v["data_block_size"],
            "--hash-block-size=%d" % v["hash_block_size"], "--data-blocks=%d" % v["data_blocks"],
            "--hash-offset=%d" % v["hash_offset"], "--salt=" + v["salt"]]


def veritysetup_verify(path, v):
    return tool("veritysetup", "verify", *verity_args(v), path, path, v["root_hash"]).returncode == 0


def xts(key, data, iv_of_sector, decrypt=True):
    out = bytearray()
    for k in range(len(data) // SECTOR):
        c = Cipher(algorithms.AES(key), modes.XTS(iv_of_sector(k).to_bytes(16, "little")))
        op = c.decryptor() if decrypt else c.encryptor()
        out += op.update(data[k * SECTOR:(k + 1) * SECTOR]) + op.finalize()
    return bytes(out)


def check_plain(name, work, ref):
    out = os.path.join(work, "out-none-" + name)
    r = oci2cw([ref, "--output", out, "--tee", "none"])
    check(r.returncode == 0 and r.stderr == "", f"{name} none: exit 0 ({r.stderr.strip()})")
    rootfs = os.path.join(out, "rootfs.squashfs")
    j = json.load(open(os.path.join(out, "workload.json")))["rootfs"]
    v = j["verity"]
    data = open(rootfs, "rb").read()
    check(j["format"] == "squashfs+verity" and j["size"] == len(data) and
          j["sha256"] == hashlib.sha256(data).hexdigest() and v["hash_offset"] == v["data_blocks"] * SECTOR and
          v["hash_offset"] >= j["squashfs_size"] > v["hash_offset"] - SECTOR and
          len(data) == v["hash_offset"] + v["hash_size"] and not v["superblock"],
          f"{name} none: workload.json describes squashfs + tree ({v['data_blocks']} blocks, tree {v['hash_size']})")
    check(veritysetup_verify(rootfs, v), f"{name} none: veritysetup verify accepts the recorded root hash")
    back = subprocess.run(["sqfs2tar", rootfs], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    check(back.returncode == 0 and len(back.stdout) > 0, f"{name} none: the squashfs still reads back")
    flipped = os.path.join(work, "flipped-" + name)
    bad = bytearray(data)
    bad[j["squashfs_size"] // 2] ^= 1
    open(flipped, "wb").write(bad)
    check(not veritysetup_verify(flipped, v), f"{name} none: one flipped byte fails veritysetup verify")
    again = os.path.join(work, "again-" + name)
    oci2cw([ref, "--output", again, "--tee", "none"])
    check(open(os.path.join(again, "rootfs.squashfs"), "rb").read() == data and
          json.load(open(os.path.join(again, "workload.json")))["rootfs"]["verity"] == v,
          f"{name} none: a second run gives the same bytes, salt and root hash")
    return data, v


def check_encrypted(name, work, ref, plain, verity, tee):
    out = os.path.join(work, f"out-{tee}-{name}")
    secret = os.urandom(32)
    r = oci2cw([ref, "--output", out, "--tee", tee], secret)
    check(r.returncode == 0 and r.stderr == "", f"{name} {tee}: exit 0 ({r.stderr.strip()})")
    check(sorted(os.listdir(out)) == ["disk.img", "workload.json"], f"{name} {tee}: only disk.img and workload.json")
    disk = os.path.join(out, "disk.img")
    raw = open(disk, "rb").read()
    j = json.load(open(os.path.join(out, "workload.json")))["rootfs"]
    e = j["encryption"]
    check(j["format"] == "luks2" and j["verity"] == verity and j["size"] == len(raw) and
          j["sha256"] == hashlib.sha256(raw).hexdigest() and e["data_offset"] == 1 << 20 and
          e["payload_size"] == len(plain) == len(raw) - e["data_offset"] and e["sector_size"] == SECTOR and
          e["cipher"] == "aes-xts-plain64" and e["key_bits"] == 512,
          f"{name} {tee}: workload.json describes the LUKS2 disk and the same verity tree")
    outputs = b"".join(open(os.path.join(out, f), "rb").read() for f in os.listdir(out))
    check(secret not in outputs and secret.hex().encode() not in outputs, f"{name} {tee}: the secret is in no output")

    keys = os.path.join(work, f"keys-{tee}-{name}")
    os.mkdir(keys)
    good, wrong, vk_file = (os.path.join(keys, n) for n in ("good", "wrong", "vk"))
    open(good, "wb").write(secret)
    open(wrong, "wb").write(bytes(b ^ 0x80 for b in secret))
    dump = tool("cryptsetup", "luksDump", disk)
    check(dump.returncode == 0 and all(s in dump.stdout for s in (
        "Version:       \t2", "offset: 1048576 [bytes]", "cipher: aes-xts-plain64", "sector: 4096 [bytes]",
        "PBKDF:      pbkdf2", "Iterations: 1000", "Cipher key: 512 bits")) and "  1: luks2" not in dump.stdout,
        f"{name} {tee}: luksDump shows the documented header")
    t = tool("cryptsetup", "open", "--test-passphrase", "--key-file", wrong, disk)
    check(t.returncode == 2 and "No key available" in t.stderr, f"{name} {tee}: a wrong secret fails ({t.stderr.strip()})")
    t = tool("cryptsetup", "luksDump", "--dump-volume-key", "--volume-key-file", vk_file, "--key-file", wrong,
             "--batch-mode", disk)
    check(t.returncode != 0 and not os.path.exists(vk_file), f"{name} {tee}: a wrong secret yields no volume key")
    t = tool("cryptsetup", "luksDump", "--dump-volume-key", "--volume-key-file", vk_file, "--key-file", good,
             "--batch-mode", disk)
    check(t.returncode == 0, f"{name} {tee}: luksDump --dump-volume-key with the secret ({t.stderr.strip()})")
    if t.returncode != 0:
        return
    vk = open(vk_file, "rb").read()
    payload = raw[e["data_offset"]:]
    check(xts(vk, payload, lambda k: k * 8) == plain,
          f"{name} {tee}: Python AES-XTS (IV = 512-byte sector) decrypts all {len(plain) // SECTOR} sectors "
          "to the --tee none rootfs.squashfs")
    if len(plain) > SECTOR:
        check(xts(vk, payload[:2 * SECTOR], lambda k: k)[SECTOR:] != plain[SECTOR:2 * SECTOR],
              f"{name} {tee}: the iv_large_sectors rule does not (the check discriminates)")

    # libcryptsetup's own user-space dm-crypt reimplementation, through a detached header
    # with the same key, cipher and sector size and the data at offset 0.
    hdr, copy = os.path.join(keys, "hdr"), os.path.join(keys, "payload")
    open(copy, "wb").write(payload)
    open(hdr, "wb").truncate(16 << 20)
    f = tool("cryptsetup", "luksFormat", "--batch-mode", "--type", "luks2", "--header", hdr, "--offset", "0",
             "--volume-key-file", vk_file, "--key-size", "512", "--cipher", "aes-xts-plain64", "--sector-size", "4096",
             "--pbkdf", "pbkdf2", "--pbkdf-force-iterations", "1000", "--key-file", good, copy)
    d = tool("cryptsetup", "reencrypt", "--decrypt", "--force-offline-reencrypt", "--batch-mode", "--header", hdr,
             "--key-file", good, copy)
    check(f.returncode == 0 and d.returncode == 0 and open(copy, "rb").read() == plain,
          f"{name} {tee}: cryptsetup's offline decryption gives the same plaintext ({f.stderr.strip()}{d.stderr.strip()})")
    check(veritysetup_verify(copy, verity), f"{name} {tee}: the decrypted payload passes veritysetup verify")

    second = os.path.join(work, f"second-{tee}-{name}")
    oci2cw([ref, "--output", second, "--tee", tee], secret)
    other = open(os.path.join(second, "disk.img"), "rb").read()
    check(other[1 << 20:(1 << 20) + SECTOR] != raw[1 << 20:(1 << 20) + SECTOR],
          f"{name} {tee}: a second run uses a fresh volume key")


def check_cli(work, ref):
    out = os.path.join(work, "out-cli")
    r = oci2cw([ref, "--output", out, "--tee", "none"], os.urandom(32))
    check(r.returncode == 2 and "--secret-fd is only for an encrypted disk" in r.stderr, "--secret-fd with --tee none: exit 2")
    r = oci2cw([ref, "--output", out, "--tee", "sim"], b"x" * 31)
    check(r.returncode == 1 and r.stderr.strip() == "oci2cw: --secret-fd: secret on fd " + r.args[-1] +
          " is 31 bytes, expected exactly 32 raw bytes" and not os.path.exists(out), f"short secret: exit 1, one line")
    r = oci2cw([ref, "--output", out, "--tee", "sim"], os.urandom(32).hex().encode())
    check(r.returncode == 1 and "longer than 32 bytes" in r.stderr, "hex secret: exit 1")
    r = oci2cw([ref, "--output", out, "--tee", "bogus"])
    check(r.returncode == 2, "--tee bogus: exit 2")
    r = oci2cw([ref, "--output", out, "--tee", "tdx"])
    check(r.returncode == 2 and "--no-register" in r.stderr, "--tee tdx without --register or --no-register: exit 2")
    r = oci2cw([ref, "--output", out, "--tee", "tdx", "--no-register"])
    check(r.returncode == 0 and "the disk secret was not registered anywhere" in r.stderr and
          sorted(os.listdir(out)) == ["disk.img", "workload.json"], "--no-register: a random secret, and a note saying it is gone")
    r = oci2cw([ref, "--output", out, "--tee", "none"])
    check(r.returncode == 0 and sorted(os.listdir(out)) == ["rootfs.squashfs", "workload.json"],
          "switching --tee in one --output leaves only the files workload.json names")
    check("secret-fd" not in oci2cw(["--help"]).stdout, "--secret-fd is not in --help")


def main():
    work = tempfile.mkdtemp(prefix="oci2cw-disk-test.")
    try:
        images = os.path.join(work, "images")
        subprocess.run([sys.executable, MAKE_IMAGES, images], check=True, stdout=subprocess.DEVNULL)
        mk = load_image_maker()
        random_image(mk, os.path.join(images, "random"), 3 << 20, 7)
        for name, ref in [("multi", "oci:" + images + "/multi"), ("small", "oci:" + images + "/small"),
                          ("random", "oci:" + images + "/random")]:
            plain, verity = check_plain(name, work, ref)
            for tee in ("sim", "snp") if name == "random" else ("sim",):
                check_encrypted(name, work, ref, plain, verity, tee)
        check_cli(work, "oci:" + images + "/multi")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(checks.summary())


main()
