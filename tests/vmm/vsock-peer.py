#!/usr/bin/env python3
"""Host-side peers for the vsock device tests (tests/vmm/device-test).

  vsock-peer.py echo-unix PATH             echo server on a Unix socket (until killed)
  vsock-peer.py echo-tcp PORT_FILE         echo server on 127.0.0.1, an ephemeral port
                                           written to PORT_FILE (until killed)
  vsock-peer.py client PATH BYTES CONNS    CONNS concurrent connections to the Unix socket
                                           PATH, each sending BYTES pseudo-random bytes and
                                           checking the echo's SHA-256; exit 0 when all match
"""
import hashlib
import os
import random
import socket
import sys
import threading


def echo(conn):
    with conn:
        while True:
            data = conn.recv(65536)
            if not data:
                break
            conn.sendall(data)
        conn.shutdown(socket.SHUT_WR)


def serve(listener):
    listener.listen(64)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=echo, args=(conn,), daemon=True).start()


def client(path, size, index, errors):
    data = random.Random(index).randbytes(size)
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(path)
            def send():
                s.sendall(data)
                s.shutdown(socket.SHUT_WR)
            writer = threading.Thread(target=send)
            writer.start()
            got = bytearray()
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
            writer.join()
    except OSError as e:
        errors[index] = f"{e}"
        return
    if len(got) != size:
        errors[index] = f"echo has {len(got)} bytes, sent {size}"
    elif hashlib.sha256(got).digest() != hashlib.sha256(data).digest():
        errors[index] = "echo differs from what was sent"


def main():
    mode = sys.argv[1]
    if mode == "echo-unix":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(sys.argv[2])
        serve(s)
    elif mode == "echo-tcp":
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        with open(sys.argv[2] + ".tmp", "w") as f:
            f.write(str(s.getsockname()[1]))
        os.rename(sys.argv[2] + ".tmp", sys.argv[2])
        serve(s)
    elif mode == "client":
        path, size, conns = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        errors = [None] * conns
        threads = [threading.Thread(target=client, args=(path, size, i, errors)) for i in range(conns)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        failed = [f"connection {i}: {e}" for i, e in enumerate(errors) if e]
        for line in failed:
            print(f"vsock-peer: {line}")
        print(f"vsock-peer: {conns} connections to {path}, {size} bytes each echoed: {len(failed)} failed")
        sys.exit(1 if failed else 0)
    else:
        sys.exit(f"vsock-peer: unknown mode {mode}")


if __name__ == "__main__":
    main()
