#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""An HTTP CONNECT proxy with Basic authentication, for the tests of `--proxy-user`.

    connect_proxy.py PORT_FILE LOG_FILE USER:PASSWORD

Listens on 127.0.0.1 (port 0), writes its port to PORT_FILE, and tunnels CONNECT requests
that carry `Proxy-Authorization: Basic base64(USER:PASSWORD)`; any other request gets 407
with `Proxy-Authenticate: Basic`. One line per request goes to LOG_FILE: "tunnel HOST:PORT",
"407 no credentials" or "407 wrong credentials" (the credentials themselves are never
written). Runs until killed.
"""
import base64
import os
import socket
import sys
import threading


def pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def log(path: str, line: str) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(line + "\n")


def serve(conn: socket.socket, log_path: str, want: str) -> None:
    head = b""
    while b"\r\n\r\n" not in head and len(head) < 65536:
        chunk = conn.recv(4096)
        if not chunk:
            conn.close()
            return
        head += chunk
    lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    method, target = (lines[0].split(" ") + ["", ""])[:2]
    auth = None
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "proxy-authorization":
            auth = value.strip()
    if method != "CONNECT" or auth != want:
        why = "no credentials" if auth is None else "wrong credentials"
        log(log_path, "407 " + why)
        conn.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                     b"Proxy-Authenticate: Basic realm=\"pkiws test\"\r\n"
                     b"Content-Length: 0\r\nConnection: close\r\n\r\n")
        conn.close()
        return
    host, _, port = target.rpartition(":")
    try:
        upstream = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
        upstream.settimeout(None)
    except (OSError, ValueError):
        log(log_path, "502 " + target)
        conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
        conn.close()
        return
    log(log_path, "tunnel " + target)
    conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
    threading.Thread(target=pump, args=(upstream, conn), daemon=True).start()
    pump(conn, upstream)


def main() -> None:
    port_file, log_path, credentials = sys.argv[1:4]
    want = "Basic " + base64.b64encode(credentials.encode("utf-8")).decode("ascii")
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    with open(port_file + ".tmp", "w", encoding="ascii") as f:
        f.write(str(srv.getsockname()[1]))
    os.replace(port_file + ".tmp", port_file)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn, log_path, want), daemon=True).start()


if __name__ == "__main__":
    main()
