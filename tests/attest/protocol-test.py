#!/usr/bin/env python3
"""The full cw-attest/1 protocol through a real cw-attest-server process over TLS.

usage: protocol-test.py CW_ATTEST_SERVER CW_ATTEST_CLIENT CW_SIM_REPORT_TOOL

Two clients: the project's C++ client (cw-attest-client, the code the guest init runs) and an
independent Python implementation of docs/attestation-protocol.md (python3-cryptography), so a
mistake shared by the server and the C++ client cannot pass unnoticed. Evidence is simulated
(sim), signed by cw-sim-report-tool with a key the server is told to trust.
"""
import base64
import hashlib
import http.client
import json
import os
import secrets
import signal
import ssl
import subprocess
import sys
import tempfile
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import attest_fixture  # noqa: E402
import checks  # noqa: E402
from checks import check  # noqa: E402

SERVER, CLIENT, SIM_TOOL = sys.argv[1:4]


def run(*args, **kw):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=120, **kw)


def openssl(*args):
    r = run("openssl", *args)
    if r.returncode != 0:
        sys.exit(f"openssl {' '.join(args)}: {r.stderr}")


class Server:
    def __init__(self, tmp, extra=(), sim=True):
        args = [SERVER, "serve", "--listen", "127.0.0.1:0", "--tls-cert", f"{tmp}/server.pem",
                "--tls-key", f"{tmp}/server.key", "--db", f"{tmp}/attest.db", "--master-key",
                f"{tmp}/master.key", "--admin-token-sha256-file", f"{tmp}/admin.sha256", *extra]
        if sim:
            args += ["--sim-public-key", f"{tmp}/sim.pub"]
        self.stderr_path = f"{tmp}/server-{time.monotonic_ns()}.err"
        self.stderr = open(self.stderr_path, "w")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.stderr, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("listening on "):
            self.proc.wait(10)
            sys.exit(f"server did not start: {line!r} {open(self.stderr_path).read()}")
        self.port = int(line.rsplit(":", 1)[1])

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(30)
        self.stderr.close()
        return code

    def log(self):
        return open(self.stderr_path).read()


class Api:
    def __init__(self, port, cafile):
        self.port = port
        self.ctx = ssl.create_default_context(cafile=cafile)

    def request(self, method, path, body=None, token=None, raw=None):
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx, timeout=30)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        text = resp.read().decode()
        conn.close()
        try:
            parsed = json.loads(text) if text else {}
        except json.JSONDecodeError:
            parsed = {"_text": text}
        return resp.status, parsed


def b64(data):
    return base64.b64encode(data).decode()


def sim_evidence(tmp, measurement, report_data, host_data):
    out = f"{tmp}/evidence-{secrets.token_hex(4)}.bin"
    r = run(SIM_TOOL, f"{tmp}/sim.key", out, measurement.hex(), report_data.hex(), host_data.hex())
    if r.returncode != 0:
        sys.exit(f"cw-sim-report-tool: {r.stderr}")
    with open(out, "rb") as f:
        return f.read()


class PyGuest:
    """The guest side written from the protocol document alone."""

    def __init__(self, api, tmp, workload):
        self.api, self.tmp, self.workload = api, tmp, workload
        self.key = ec.generate_private_key(ec.SECP384R1())
        self.pub = self.key.public_key().public_bytes(serialization.Encoding.X962,
                                                      serialization.PublicFormat.UncompressedPoint)

    def auth(self):
        status, body = self.api.request("POST", "/cw/v1/auth",
                                        {"version": "cw-attest/1", "workload": self.workload, "tee": "sim"})
        assert status == 200, (status, body)
        self.session = body["session"]
        self.nonce = base64.b64decode(body["nonce"])
        return body

    def binding(self):
        return hashlib.sha512(b"cw-attest/1 report-data\x00" + self.nonce + self.pub).digest()

    def attest(self, evidence):
        return self.api.request("POST", "/cw/v1/attest", {"session": self.session, "tee_pubkey": b64(self.pub),
                                                          "evidence": b64(evidence)})

    def disk_key(self, token):
        status, body = self.api.request("GET", "/cw/v1/resource/disk-key", token=token)
        if status != 200:
            return status, body
        epk = base64.b64decode(body["epk"])
        shared = self.key.exchange(ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP384R1(), epk))
        k = HKDF(algorithm=hashes.SHA384(), length=32, salt=self.nonce,
                 info=b"cw-attest/1 disk-key\x00" + epk + self.pub).derive(shared)
        plain = AESGCM(k).decrypt(base64.b64decode(body["iv"]),
                                  base64.b64decode(body["ciphertext"]) + base64.b64decode(body["tag"]),
                                  self.workload.encode())
        return status, {"alg": body["alg"], "key": plain}


def setup(tmp):
    # The test CA, server certificate, sim key, master key and admin token (tests/lib), plus a
    # second CA the client must refuse; the token's hash comes from `hash-token`, which is checked.
    token = attest_fixture.make_credentials(tmp)
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=other CA", "-keyout", f"{tmp}/other-ca.key", "-out", f"{tmp}/other-ca.pem")
    r = run(SERVER, "hash-token", input=token + "\n")
    assert r.returncode == 0, r.stderr
    with open(f"{tmp}/admin.sha256", "w") as f:
        f.write(r.stdout)
    check(r.stdout.strip() == hashlib.sha256(token.encode()).hexdigest(), "hash-token prints the token's SHA-256")
    return token


def sim_policy(measurement, host_data):
    return {"tee": ["sim"], "sim": {"measurements": [measurement.hex()], "host_data": host_data.hex()}}


def cpp_client(port, tmp, workload, measurement, host_data, ca="ca.pem"):
    return run(CLIENT, "--server", f"127.0.0.1:{port}", "--ca", f"{tmp}/{ca}", "--workload", workload, "--tee", "sim",
               "--sim-key", f"{tmp}/sim.key", "--measurement", measurement.hex(), "--host-data", host_data.hex())


def main():
    tmp = tempfile.mkdtemp(prefix="cw-protocol-test-")
    admin = setup(tmp)
    m_hello, m_other = secrets.token_bytes(48), secrets.token_bytes(48)
    host_data = secrets.token_bytes(32)
    key_hello, key_other = secrets.token_bytes(32), secrets.token_bytes(32)

    server = Server(tmp)
    api = Api(server.port, f"{tmp}/ca.pem")
    check("WARNING: simulated TEE evidence is accepted" in server.log(), "sim mode warns at start")
    check(api.request("GET", "/healthz") == (200, {"status": "ok"}), "healthz")

    # --- admin API and its credential
    reg = {"policy": sim_policy(m_hello, host_data), "disk_key": b64(key_hello)}
    status, body = api.request("PUT", "/cw/v1/admin/workloads/hello", reg)
    check(status == 401 and body.get("error") == "unauthorized", "registration without admin token: 401")
    status, body = api.request("PUT", "/cw/v1/admin/workloads/hello", reg, token="wrong-token-wrong-token")
    check(status == 401, "registration with a wrong admin token: 401")
    status, body = api.request("PUT", "/cw/v1/admin/workloads/hello", reg, token=admin)
    check(status == 201, f"register hello: 201 ({status} {body})")
    status, body = api.request("PUT", "/cw/v1/admin/workloads/hello", reg, token=admin)
    check(status == 200, "re-register hello: 200 (update)")
    status, _ = api.request("PUT", "/cw/v1/admin/workloads/other",
                            {"policy": sim_policy(m_other, host_data), "disk_key": b64(key_other)}, token=admin)
    check(status == 201, "register other: 201")
    status, body = api.request("GET", "/cw/v1/admin/workloads", token=admin)
    check(status == 200 and sorted(w["id"] for w in body["workloads"]) == ["hello", "other"], "list workloads")
    status, body = api.request("GET", "/cw/v1/admin/workloads/hello", token=admin)
    check(status == 200 and "disk_key" not in body and body["policy"]["tee"] == ["sim"], "show never returns the key")
    bad_regs = [
        ({"policy": {"tee": ["sim"]}, "disk_key": b64(key_hello)}, "bad_request", "policy without sim section"),
        ({"policy": sim_policy(m_hello, host_data), "disk_key": "not base64!"}, "bad_base64", "key not base64"),
        ({"policy": sim_policy(m_hello, host_data), "disk_key": b64(b"short")}, "bad_request", "key too short"),
        ({"policy": sim_policy(m_hello, host_data), "disk_key": b64(key_hello), "x": 1}, "bad_request", "unknown field"),
    ]
    for body_in, code, what in bad_regs:
        status, body = api.request("PUT", "/cw/v1/admin/workloads/bad", body_in, token=admin)
        check(status == 400 and body.get("error") == code, f"registration refused: {what} -> {code} ({status} {body})")
    status, body = api.request("PUT", "/cw/v1/admin/workloads/Bad..ID", reg, token=admin)
    check(status == 400, "registration refused: invalid workload id")

    # --- success, both clients
    r = cpp_client(server.port, tmp, "hello", m_hello, host_data)
    check(r.returncode == 0 and r.stdout.strip() == key_hello.hex(), f"C++ client gets hello's key ({r.stderr.strip()})")
    guest = PyGuest(api, tmp, "hello")
    auth = guest.auth()
    check(len(guest.nonce) == 32 and len(auth["session"]) == 64 and auth["expires_in"] == 60, "auth reply shape")
    status, body = guest.attest(sim_evidence(tmp, m_hello, guest.binding(), host_data))
    check(status == 200 and len(body.get("token", "")) == 64, f"python guest attests ({status} {body})")
    token = body.get("token")
    status, body = guest.disk_key(token)
    check(status == 200 and body["key"] == key_hello and body["alg"] == "ECDH-P384-HKDF-SHA384-A256GCM",
          "python guest unwraps hello's key (the document's key schedule is exact)")

    # --- refusals
    status, body = guest.attest(sim_evidence(tmp, m_hello, guest.binding(), host_data))
    check(status == 403 and body.get("error") == "nonce_replayed", f"replayed nonce refused ({status} {body})")
    r = cpp_client(server.port, tmp, "hello", m_other, host_data)
    check(r.returncode == 1 and "policy_rejected" in r.stderr and "measurement_mismatch" in r.stderr,
          f"wrong measurement refused ({r.stderr.strip()})")
    r = cpp_client(server.port, tmp, "hello", m_hello, secrets.token_bytes(32))
    check(r.returncode == 1 and "host_data_mismatch" in r.stderr, "wrong HOST_DATA refused")
    g = PyGuest(api, tmp, "other")
    g.auth()
    status, body = g.attest(sim_evidence(tmp, m_hello, g.binding(), host_data))
    check(status == 403 and body.get("detail") == "measurement_mismatch",
          "hello's evidence in a session for 'other' is refused")
    g = PyGuest(api, tmp, "hello")
    g.auth()
    status, body = g.attest(sim_evidence(tmp, m_hello, bytes(64), host_data))
    check(status == 403 and body.get("error") == "report_data_mismatch", "REPORT_DATA not bound to nonce+key refused")
    g = PyGuest(api, tmp, "hello")
    g.auth()
    ev = bytearray(sim_evidence(tmp, m_hello, g.binding(), host_data))
    ev[0x90] ^= 1
    status, body = g.attest(bytes(ev))
    check(status == 403 and body.get("error") == "evidence_invalid", f"a flipped measurement bit breaks the signature ({body})")
    g = PyGuest(api, tmp, "hello")
    g.auth()
    status, body = g.attest(sim_evidence(tmp, m_hello, g.binding(), host_data)[:1000])
    check(status in (400, 403) and body.get("error") in ("evidence_invalid", "bad_request"), "truncated evidence refused")
    status, body = api.request("POST", "/cw/v1/auth", {"version": "cw-attest/1", "workload": "nobody", "tee": "sim"})
    check(status == 404 and body.get("error") == "unknown_workload", "unknown workload refused")
    status, body = api.request("POST", "/cw/v1/auth", {"version": "cw-attest/1", "workload": "hello", "tee": "snp"})
    check(status == 403 and body.get("error") == "tee_not_allowed", "TEE not in policy refused")
    status, body = api.request("POST", "/cw/v1/auth", {"version": "cw-attest/0", "workload": "hello", "tee": "sim"})
    check(status == 400 and body.get("error") == "bad_version", "wrong protocol version refused")
    status, body = api.request("GET", "/cw/v1/resource/disk-key", token="0" * 64)
    check(status == 401 and body.get("error") == "token_invalid", "unknown token refused")
    status, body = api.request("GET", "/cw/v1/resource/disk-key")
    check(status == 401 and body.get("error") == "unauthorized", "disk key without token refused")

    # --- hostile bodies: 4xx, and the server lives on
    hostile = [
        ("POST", "/cw/v1/auth", "{not json", 400, "malformed JSON"),
        ("POST", "/cw/v1/auth", "[]", 400, "JSON array"),
        ("POST", "/cw/v1/auth", json.dumps({"version": "cw-attest/1", "workload": "hello", "tee": "sim", "x": 1}), 400,
         "unknown field"),
        ("POST", "/cw/v1/attest", json.dumps({"session": "0" * 64, "tee_pubkey": "@@@@", "evidence": ""}), 400,
         "bad base64"),
        ("POST", "/cw/v1/attest", '{"a":' * 20000 + "1" + "}" * 20000, 400, "deep nesting"),
        ("POST", "/cw/v1/auth", "x" * (300 * 1024), 413, "oversized body"),
        ("GET", "/cw/v1/auth", None, 405, "wrong method"),
        ("GET", "/nope", None, 404, "unknown path"),
    ]
    for method, path, raw, want, what in hostile:
        try:
            status, body = api.request(method, path, raw=raw)
        except (ConnectionError, http.client.HTTPException) as e:
            status, body = f"connection error {e}", {}
        check(status == want, f"hostile: {what} -> {want} ({status} {body.get('error')})")
    check(api.request("GET", "/healthz")[0] == 200, "server alive after hostile bodies")

    # --- TLS: the client checks the server against its CA
    r = cpp_client(server.port, tmp, "hello", m_hello, host_data, ca="other-ca.pem")
    check(r.returncode == 1 and "certificate" in r.stderr.lower(), f"client refuses a server its CA did not sign ({r.stderr.strip()})")

    # --- operations: metrics and audit
    status, body = api.request("GET", "/metrics")
    text = body.get("_text", "")
    check(status == 200 and "cw_attest_releases_total 2" in text and
          'cw_attest_refusals_total{reason="nonce_replayed"} 1' in text and
          "cw_attest_request_duration_seconds_count" in text, "metrics count releases and refusals")
    status, body = api.request("GET", "/cw/v1/admin/audit?limit=1000", token=admin)
    events = body.get("events", [])
    actions = {e["action"] for e in events}
    check(status == 200 and {"register", "update", "release", "refuse"} <= actions, f"audit records actions {actions}")
    check(any(e["reason"] == "nonce_replayed" for e in events), "audit names refusal reasons")
    dump = json.dumps(body)
    check(key_hello.hex() not in dump and b64(key_hello) not in dump and admin not in dump,
          "audit log holds no key material or admin token")
    check(api.request("GET", "/cw/v1/admin/audit", token="x" * 20)[0] == 401, "audit needs the admin token")

    # --- restart: workloads survive; sessions do not
    check(server.stop() == 0, "server stops cleanly on SIGTERM")
    with open(f"{tmp}/attest.db", "rb") as f:
        db_bytes = f.read()
    check(key_hello not in db_bytes and key_other not in db_bytes, "the database does not hold disk keys in clear")
    server = Server(tmp, extra=["--session-ttl", "1"])
    api = Api(server.port, f"{tmp}/ca.pem")
    r = cpp_client(server.port, tmp, "hello", m_hello, host_data)
    check(r.returncode == 0 and r.stdout.strip() == key_hello.hex(), "after a restart the registered workload still gets its key")
    status, body = api.request("GET", "/cw/v1/resource/disk-key", token=token)
    check(status == 401, "tokens do not survive a restart")
    g = PyGuest(api, tmp, "hello")
    g.auth()
    time.sleep(2.2)
    status, body = g.attest(sim_evidence(tmp, m_hello, g.binding(), host_data))
    check(status == 403 and body.get("error") == "session_expired", f"expired nonce refused ({status} {body})")
    status, _ = api.request("DELETE", "/cw/v1/admin/workloads/other", token=admin)
    check(status == 204, "delete a workload")
    status, body = api.request("POST", "/cw/v1/auth", {"version": "cw-attest/1", "workload": "other", "tee": "sim"})
    check(status == 404, "a deleted workload cannot attest")
    server.stop()

    # --- sim evidence is refused unless the operator names the key
    server = Server(tmp, sim=False)
    api = Api(server.port, f"{tmp}/ca.pem")
    check("WARNING" not in server.log(), "no sim warning without --sim-public-key")
    r = cpp_client(server.port, tmp, "hello", m_hello, host_data)
    check(r.returncode == 1 and "sim_not_enabled" in r.stderr, f"sim evidence refused by default ({r.stderr.strip()})")
    server.stop()

    return checks.summary()


if __name__ == "__main__":
    sys.exit(main())
