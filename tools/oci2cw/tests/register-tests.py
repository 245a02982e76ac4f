#!/usr/bin/env python3
"""oci2cw's last stages end to end: workload.json, the expected launch measurement and the
registration with a real cw-attest-server over TLS (docs/disk-format.md, "oci2cw's stages").

usage: register-tests.py OCI2CW MAKE_TEST_IMAGES CW_ATTEST_SERVER CW_ATTEST_CLIENT CW_MEASURE

- oci2cw --tee sim --register: workload.json is canonical and holds what was asked for;
  measurement.json's digest is the one `cw-measure launch` computes from the cwrun options it
  lists; the server releases, to sim evidence with that measurement and HOST_DATA =
  SHA-256(workload.json), a key that opens disk.img (cryptsetup); the key is in no output file.
- oci2cw --tee snp --register: measurement.json holds the SEV-SNP launch digest `cw-measure
  launch --tee snp` computes from the cwrun options it lists (not the sim one); the server holds
  an snp-only policy (that digest, HOST_DATA, no debug, VMPL 0) and refuses sim evidence for it.
- re-running registers an update; a wrong admin token fails with one line naming unauthorized;
  the option combinations that make no sense are refused with one line.
The kernel is a tiny synthetic ELF: the loader accepts it and nothing boots it.
"""
import base64
import hashlib
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tests", "lib"))
import attest_fixture  # noqa: E402
import checks  # noqa: E402
from checks import check  # noqa: E402

OCI2CW, MAKE_IMAGES, SERVER, CLIENT, MEASURE = sys.argv[1:6]


def run(*args, **kw):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, **kw)


def tiny_kernel(path):
    """An x86-64 ET_EXEC with one PT_LOAD at 16 MiB (what the ELF loader accepts)."""
    load, off = 16 << 20, 0x1000
    ehdr = struct.pack("<16sHHIQQQIHHHHHH", b"\x7fELF\x02\x01\x01" + bytes(9), 2, 62, 1, load + 0x10, 64, 0,
                       0, 64, 56, 1, 64, 0, 0)
    phdr = struct.pack("<IIQQQQQQ", 1, 5, off, load + 0xffffffff80000000, load, 0x1000, 0x3000, 0x1000)
    with open(path, "wb") as f:
        f.write((ehdr + phdr).ljust(off, b"\0") + bytes((i * 7 + 3) & 0xFF for i in range(0x1000)))


def setup_server(tmp):
    return attest_fixture.start_server(SERVER, tmp)


def main():
    tmp = tempfile.mkdtemp(prefix="oci2cw-register-test-")
    try:
        return tests(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def tests(tmp):
    images = f"{tmp}/images"
    r = run(sys.executable, MAKE_IMAGES, images)
    if r.returncode != 0:
        sys.exit(f"make-test-images: {r.stderr}")
    ref = f"oci:{images}/small"
    server, port, _ = setup_server(tmp)
    url = f"https://127.0.0.1:{port}"
    tiny_kernel(f"{tmp}/vmlinux")
    with open(f"{tmp}/initrd.cpio", "wb") as f:
        f.write(b"070701" + os.urandom(200))  # any bytes: they are measured, not unpacked here
    out = f"{tmp}/out"
    common = [ref, "--output", out, "--tee", "sim", "--workload-id", "hello.app", "--cpus", "2", "--memory", "512",
              "--attest-url", url, "--attest-ca", f"{tmp}/ca.pem", "--kernel", f"{tmp}/vmlinux",
              "--initrd", f"{tmp}/initrd.cpio"]
    reg = common + ["--register", "--admin-token-file", f"{tmp}/admin.token"]

    # --- the run
    r = run(OCI2CW, *reg, "--json")
    check(r.returncode == 0, f"oci2cw --tee sim --register succeeds ({r.stderr.strip()})")
    if r.returncode != 0:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
        return 1
    summary = json.loads(r.stdout)
    check(sorted(os.listdir(out)) == ["disk.img", "measurement.json", "workload.json"],
          f"--output holds disk.img, workload.json, measurement.json ({sorted(os.listdir(out))})")
    wl_bytes = open(f"{out}/workload.json", "rb").read()
    wl = json.loads(wl_bytes)
    check(wl_bytes == json.dumps(wl, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(),
          "workload.json is canonical (sorted keys, no whitespace)")
    check(wl["version"] == 1 and wl["workload_id"] == "hello.app" and wl["tee"] == "sim" and wl["cpus"] == 2 and
          wl["ram_mib"] == 512 and wl["attestation_url"] == url and
          wl["attestation_ca"] == open(f"{tmp}/ca.pem").read(), "workload.json: id, tee, cpus, ram_mib, server, CA")
    check(wl["entrypoint"] == ["/bin/busybox"] and wl["rootfs"]["file"] == "disk.img" and
          wl["rootfs"]["format"] == "luks2" and len(wl["rootfs"]["verity"]["root_hash"]) == 64,
          "workload.json: the process and the encrypted rootfs with its verity parameters")
    check(summary["workload"] == wl and summary["registration"]["result"] == "created" and
          summary["registered"] is True and "registering" in summary["timings_s"],
          "--json summary: the workload and the registration (created)")
    m = json.load(open(f"{out}/measurement.json"))
    check(m["host_data"] == hashlib.sha256(wl_bytes).hexdigest(), "measurement.json: HOST_DATA = SHA-256(workload.json)")
    check(m["cwrun"][:3] == ["cwrun", "--tee", "sim"] and "--disk" in m["cwrun"] and
          m["cwrun"][m["cwrun"].index("--mem") + 1] == "512", f"measurement.json lists the cwrun arguments")

    # --- cw-measure launch with the same options gives the same digest
    r = run(MEASURE, "launch", "--kernel", f"{tmp}/vmlinux", "--initrd", f"{tmp}/initrd.cpio", "--workload-config",
            f"{out}/workload.json", "--cpus", "2", "--mem", "512", "--disks", "1", "--json")
    measured = json.loads(r.stdout) if r.returncode == 0 else {}
    check(measured.get("snp_launch_digest") == m["measurement"] and measured.get("host_data") == m["host_data"],
          f"cw-measure launch agrees ({m['measurement'][:16]}...)")
    check(measured.get("cmdline") == m["cmdline"], "same kernel command line")

    # --- the server releases the key to that measurement, and the key opens the disk
    def fetch(measurement, host_data):
        return run(CLIENT, "--server", f"127.0.0.1:{port}", "--ca", f"{tmp}/ca.pem", "--workload", "hello.app",
                   "--tee", "sim", "--sim-key", f"{tmp}/sim.key", "--measurement", measurement,
                   "--host-data", host_data)
    r = fetch(m["measurement"], m["host_data"])
    check(r.returncode == 0 and len(r.stdout.strip()) == 64, f"the server releases the disk key ({r.stderr.strip()})")
    key = bytes.fromhex(r.stdout.strip()) if r.returncode == 0 else b""
    with open(f"{tmp}/key.bin", "wb") as f:
        f.write(key)
    r = run("cryptsetup", "open", "--test-passphrase", "--key-file", f"{tmp}/key.bin", f"{out}/disk.img")
    check(r.returncode == 0, f"the released key unlocks disk.img ({r.stderr.strip()})")
    r = fetch(m["measurement"], hashlib.sha256(wl_bytes + b" ").hexdigest())
    check(r.returncode != 0 and "host_data_mismatch" in r.stderr, "another workload.json is refused")
    blobs = [open(os.path.join(out, n), "rb").read() for n in os.listdir(out)]
    forms = [key, key.hex().encode(), base64.b64encode(key)]
    check(len(key) == 32 and not any(f in b for f in forms for b in blobs),
          "the secret is in no output file (raw, hex or base64)")

    # --- re-running updates the registration (a new secret: the old disk's key is replaced)
    r = run(OCI2CW, *reg)
    check(r.returncode == 0 and "hello.app registered with " + url + " (updated)" in r.stderr,
          f"re-running registers an update ({r.stderr.strip()})")
    m2 = json.load(open(f"{out}/measurement.json"))
    r = fetch(m2["measurement"], m2["host_data"])
    with open(f"{tmp}/key2.bin", "wb") as f:
        f.write(bytes.fromhex(r.stdout.strip()) if r.returncode == 0 else b"")
    r = run("cryptsetup", "open", "--test-passphrase", "--key-file", f"{tmp}/key2.bin", f"{out}/disk.img")
    check(r.returncode == 0, "the updated key unlocks the new disk.img")

    # --- refusals: one line each
    bad = f"{tmp}/bad"
    r = run(OCI2CW, *[a if a != out else bad for a in common], "--register", "--admin-token-file",
            f"{tmp}/wrong.token")
    lines = r.stderr.strip().splitlines()
    check(r.returncode == 1 and len(lines) == 1 and "unauthorized" in lines[0] and not os.path.exists(bad),
          f"a wrong admin token: one line naming unauthorized, before anything is built ({lines})")
    refusals = [
        (common, "--register (with --attest-url"),
        ([ref, "--output", bad, "--tee", "tdx", "--register"], "not implemented yet"),
        ([ref, "--output", bad, "--tee", "none", "--register"], "--tee none"),
        (common + ["--register"], "--register needs --admin-token-file"),
        ([ref, "--output", bad, "--tee", "sim", "--workload-id", "Bad/Id", "--no-register"], "--workload-id"),
        ([ref, "--output", bad, "--tee", "sim", "--no-register", "--attest-url", "http://x:1", "--attest-ca",
          f"{tmp}/ca.pem"], "--attest-url"),
        ([ref, "--output", bad, "--tee", "sim", "--no-register", "--cpus", "0"], "--cpus"),
    ]
    for args, text in refusals:
        r = run(OCI2CW, *args)
        lines = r.stderr.strip().splitlines()
        check(r.returncode == 2 and len(lines) == 1 and text in lines[0], f"refused: {lines[:1]}")
    # --- SEV-SNP: the SNP launch digest, registered under an snp-only policy
    snp_out = f"{tmp}/snp-reg"
    snp_common = [a if a != out else snp_out for a in common]
    snp_common[snp_common.index("sim")] = "snp"
    snp_common[snp_common.index("hello.app")] = "hello.snp"
    r = run(OCI2CW, *snp_common, "--register", "--admin-token-file",
            f"{tmp}/admin.token")
    check(r.returncode == 0 and "hello.snp registered" in r.stderr, f"oci2cw --tee snp --register ({r.stderr.strip()})")
    ms = json.load(open(f"{snp_out}/measurement.json")) if r.returncode == 0 else {}
    r = run(MEASURE, "launch", "--tee", "snp", "--kernel", f"{tmp}/vmlinux", "--initrd", f"{tmp}/initrd.cpio",
            "--workload-config", f"{snp_out}/workload.json", "--cpus", "2", "--mem", "512", "--disks", "1", "--json")
    snp_measured = json.loads(r.stdout) if r.returncode == 0 else {}
    check(ms.get("tee") == "snp" and ms.get("cwrun", [])[:3] == ["cwrun", "--tee", "snp"] and
          snp_measured.get("snp_launch_digest") == ms.get("measurement") and
          snp_measured.get("tee") == "snp", f"measurement.json: the SNP digest cw-measure launch --tee snp computes")
    r = run(MEASURE, "launch", "--tee", "sim", "--kernel", f"{tmp}/vmlinux", "--initrd", f"{tmp}/initrd.cpio",
            "--workload-config", f"{snp_out}/workload.json", "--cpus", "2", "--mem", "512", "--disks", "1")
    check(r.returncode == 0 and r.stdout.strip() != ms.get("measurement"), "the SNP digest is not the sim one")
    status, body = attest_fixture.admin_request(tmp, port, "GET", "/cw/v1/admin/workloads/hello.snp")
    policy = json.loads(body).get("policy", {}) if status == 200 else {}
    check(policy.get("tee") == ["snp"] and policy.get("snp", {}).get("measurements") == [ms.get("measurement")] and
          policy["snp"].get("host_data") == ms.get("host_data") and policy["snp"].get("allow_debug") is False and
          policy["snp"].get("vmpl") == 0, f"the server holds an snp-only policy ({status}: {body[:200]})")
    r = run(CLIENT, "--server", f"127.0.0.1:{port}", "--ca", f"{tmp}/ca.pem", "--workload", "hello.snp",
            "--tee", "sim", "--sim-key", f"{tmp}/sim.key", "--measurement", ms.get("measurement", "0" * 96),
            "--host-data", ms.get("host_data", "0" * 64))
    check(r.returncode != 0 and "tee_not_allowed" in r.stderr, f"sim evidence is refused for it ({r.stderr.strip()})")

    r = run(OCI2CW, ref, "--output", f"{tmp}/snp", "--tee", "snp", "--no-register")
    check(r.returncode == 0 and os.path.exists(f"{tmp}/snp/disk.img") and "--no-register" in r.stderr,
          "--tee snp --no-register writes its disk and says the secret is gone")
    wl = json.load(open(f"{tmp}/snp/workload.json"))
    check(wl["workload_id"] == "small" and "attestation_url" not in wl,
          f"the default workload id comes from the image name ({wl['workload_id']})")
    r1, r2 = (run(OCI2CW, ref, "--output", f"{tmp}/none{i}", "--tee", "none") for i in (1, 2))
    check(r1.returncode == 0 and open(f"{tmp}/none1/workload.json", "rb").read() ==
          open(f"{tmp}/none2/workload.json", "rb").read(), "same inputs, same workload.json bytes")

    server.send_signal(signal.SIGTERM)
    check(server.wait(30) == 0, "server stops cleanly")
    log = open(f"{tmp}/server.err").read()
    check(key.hex() not in log and base64.b64encode(key).decode() not in log, "the server log holds no key")
    return checks.summary()


if __name__ == "__main__":
    sys.exit(main())
