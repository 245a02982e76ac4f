"""A real cw-attest-server for tests: a throw-away CA and server certificate for 127.0.0.1,
a P-384 sim signing key, a master key, an admin token; the server listens on a free port.

    proc, port, token = start_server(SERVER_BINARY, tmp)
writes in tmp: ca.pem ca.key server.pem server.key sim.key sim.pub master.key admin.token
wrong.token admin.sha256 attest.db server.err (the server's log).
"""
import hashlib
import http.client
import os
import secrets
import ssl
import subprocess
import sys


def openssl(*args):
    r = subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        sys.exit(f"openssl {' '.join(args)}: {r.stderr}")


def make_credentials(tmp):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=cw test CA", "-keyout", f"{tmp}/ca.key", "-out", f"{tmp}/ca.pem")
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=127.0.0.1",
            "-keyout", f"{tmp}/server.key", "-out", f"{tmp}/server.csr")
    with open(f"{tmp}/ext.cnf", "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", f"{tmp}/server.csr", "-CA", f"{tmp}/ca.pem", "-CAkey", f"{tmp}/ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", f"{tmp}/ext.cnf", "-out", f"{tmp}/server.pem")
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", f"{tmp}/sim.key")
    openssl("pkey", "-in", f"{tmp}/sim.key", "-pubout", "-out", f"{tmp}/sim.pub")
    fd = os.open(f"{tmp}/master.key", os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, secrets.token_bytes(32))
    os.close(fd)
    token = secrets.token_hex(24)
    with open(f"{tmp}/admin.token", "w") as f:
        f.write(token + "\n")
    with open(f"{tmp}/wrong.token", "w") as f:
        f.write(secrets.token_hex(24) + "\n")
    with open(f"{tmp}/admin.sha256", "w") as f:
        f.write(hashlib.sha256(token.encode()).hexdigest() + "\n")
    return token


def start_server(server, tmp, port=0):
    """Starts `server serve` (credentials made on the first call); returns (process, port, token)."""
    if not os.path.exists(f"{tmp}/admin.token"):
        make_credentials(tmp)
    token = open(f"{tmp}/admin.token").read().strip()
    proc = subprocess.Popen([server, "serve", "--listen", f"127.0.0.1:{port}", "--tls-cert", f"{tmp}/server.pem",
                             "--tls-key", f"{tmp}/server.key", "--db", f"{tmp}/attest.db", "--master-key",
                             f"{tmp}/master.key", "--admin-token-sha256-file", f"{tmp}/admin.sha256",
                             "--sim-public-key", f"{tmp}/sim.pub"],
                            stdout=subprocess.PIPE, stderr=open(f"{tmp}/server.err", "a"), text=True)
    line = proc.stdout.readline()
    if not line.startswith("listening on "):
        proc.wait(10)
        sys.exit(f"server did not start: {line!r} {open(f'{tmp}/server.err').read()}")
    return proc, int(line.rsplit(":", 1)[1]), token


def admin_request(tmp, port, method, path):
    """One admin API request over TLS checked against the test CA; returns (status, body)."""
    context = ssl.create_default_context(cafile=f"{tmp}/ca.pem")
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
    token = open(f"{tmp}/admin.token").read().strip()
    conn.request(method, path, headers={"Authorization": f"Bearer {token}"})
    reply = conn.getresponse()
    body = reply.read()
    conn.close()
    return reply.status, body
