#!/usr/bin/env python3
"""Cross-checks cw-attest/1's key wrapping and REPORT_DATA binding against an independent
implementation written from docs/attestation-protocol.md alone (python3-cryptography):

1. the C++ code wraps a key (keywrap_vector wrap); this script unwraps it;
2. this script wraps a key; the C++ code unwraps it (keywrap_vector unwrap);
3. a key this script wraps for another workload must not unwrap in C++.

Usage: keywrap_interop.py PATH/TO/keywrap_vector   (exit 77 = skipped: no python3-cryptography)
"""
import base64
import hashlib
import json
import os
import subprocess
import sys

try:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF
except ImportError:
    print("SKIP: python3-cryptography is not installed")
    sys.exit(77)

ALG = "ECDH-P384-HKDF-SHA384-A256GCM"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    data = base64.b64decode(text, validate=True)
    assert b64(data) == text, f"non-canonical base64 from C++: {text!r}"
    return data


def point(key) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def derive(z: bytes, nonce: bytes, epk: bytes, tee_pubkey: bytes) -> bytes:
    info = b"cw-attest/1 disk-key" + b"\x00" + epk + tee_pubkey
    return HKDF(algorithm=hashes.SHA384(), length=32, salt=nonce, info=info).derive(z)


def binding(nonce: bytes, tee_pubkey: bytes) -> bytes:
    return hashlib.sha512(b"cw-attest/1 report-data" + b"\x00" + nonce + tee_pubkey).digest()


def check_cpp_wrapped(tool: str) -> None:
    vector = json.loads(subprocess.run([tool, "wrap"], check=True, capture_output=True, text=True).stdout)
    tee = serialization.load_pem_private_key(vector["tee_private_pem"].encode(), password=None)
    assert isinstance(tee.curve, ec.SECP384R1)
    tee_pubkey = point(tee)
    assert unb64(vector["tee_pubkey"]) == tee_pubkey, "tee_pubkey is not the SEC1 uncompressed point"
    nonce = unb64(vector["nonce"])
    assert len(nonce) == 32
    assert binding(nonce, tee_pubkey).hex() == vector["report_data"], "REPORT_DATA binding differs"

    wrapped = vector["wrapped"]
    assert set(wrapped) == {"alg", "epk", "iv", "ciphertext", "tag"}, wrapped.keys()
    assert wrapped["alg"] == ALG
    epk = unb64(wrapped["epk"])
    iv = unb64(wrapped["iv"])
    tag = unb64(wrapped["tag"])
    assert len(epk) == 97 and epk[0] == 4 and len(iv) == 12 and len(tag) == 16
    peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP384R1(), epk)
    z = tee.exchange(ec.ECDH(), peer)  # the X coordinate, 48 bytes
    assert len(z) == 48
    k = derive(z, nonce, epk, tee_pubkey)
    plain = AESGCM(k).decrypt(iv, unb64(wrapped["ciphertext"]) + tag, vector["workload"].encode())
    assert plain.hex() == vector["disk_key"], "unwrapped key differs"
    print("ok: C++ wrap -> Python unwrap, binding matches")


def python_wrap(tee, disk_key: bytes, nonce: bytes, workload: str) -> dict:
    ephemeral = ec.generate_private_key(ec.SECP384R1())
    epk = point(ephemeral)
    z = ephemeral.exchange(ec.ECDH(), tee.public_key())
    k = derive(z, nonce, epk, point(tee))
    iv = os.urandom(12)
    sealed = AESGCM(k).encrypt(iv, disk_key, workload.encode())
    return {"alg": ALG, "epk": b64(epk), "iv": b64(iv), "ciphertext": b64(sealed[:-16]), "tag": b64(sealed[-16:])}


def run_unwrap(tool: str, request: dict) -> subprocess.CompletedProcess:
    return subprocess.run([tool, "unwrap"], input=json.dumps(request), capture_output=True, text=True)


def check_python_wrapped(tool: str) -> None:
    tee = ec.generate_private_key(ec.SECP384R1())
    pem = tee.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    disk_key = os.urandom(32)
    nonce = os.urandom(32)
    request = {"tee_private_pem": pem, "nonce": b64(nonce), "workload": "db.main-2",
               "wrapped": python_wrap(tee, disk_key, nonce, "db.main-2")}
    result = run_unwrap(tool, request)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == disk_key.hex(), "C++ unwrapped a different key"
    print("ok: Python wrap -> C++ unwrap")

    request["wrapped"] = python_wrap(tee, disk_key, nonce, "db.main-3")
    result = run_unwrap(tool, request)
    assert result.returncode == 1, "a key wrapped for another workload unwrapped"
    assert "disk key: authentication failed" in result.stderr, result.stderr
    print("ok: another workload's AAD is refused")


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    check_cpp_wrapped(sys.argv[1])
    check_python_wrapped(sys.argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
