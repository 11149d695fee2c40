#!/usr/bin/env python3
"""A loopback HTTP/1.1 proxy that injects faults in front of a registry (python3 stdlib only).

  fault_proxy.py serve --upstream 127.0.0.1:P [--faults JSON|@FILE] [--port 0]
                       [--upstream-ca-file CA] [--tls-cert CERT --tls-key KEY] [--ready-file F]
      Prints {"host": "127.0.0.1:PORT"} once listening (and writes it to --ready-file).
  fault_proxy.py control --proxy HOST [--ca-file CA] (--set-faults JSON | --log [--clear])

A fault is a JSON object; the first one whose `path` regex matches (re.search on the request
path with its query) and whose `method` (optional) matches, and that has `times` left, applies:
  {"kind": "status", "status": 429, "headers": {"Retry-After": "1"}, "body": "...", ...}
      answer with that status without asking the registry (default body: a spec error JSON);
      "{authorization}" in the body becomes the request's Authorization header, as a registry
      that echoes it would
  {"kind": "reset"}      close the connection with a TCP RST (SO_LINGER 0), answering nothing
  {"kind": "delay", "seconds": 2}     wait, then pass through
  {"kind": "corrupt"}    pass through, but change one byte of the body (a hex digit of the
                          first digest in it, so the JSON still parses) and keep the headers:
                          Docker-Content-Digest no longer matches the body
Common fields: "path" (regex, default ""), "method" (default any), "header" (a header name the
request must carry, default none), "times" (default 1; -1 for every matching request).

Control endpoints on the proxy itself (never forwarded):
  POST /__faults  (body: JSON array)  replace the faults;  GET /__faults  the current ones
  GET /__log  the requests seen: {"requests": [{"method","path","status","fault"}]};
  DELETE /__log  clear it
"""

import argparse
import http.client
import http.server
import json
import os
import re
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
              "trailers", "transfer-encoding", "upgrade"}

DEFAULT_BODIES = {
    429: {"code": "TOOMANYREQUESTS", "message": "too many requests (injected)"},
    401: {"code": "UNAUTHORIZED", "message": "authentication required (injected)"},
    403: {"code": "DENIED", "message": "requested access to the resource is denied (injected)"},
    404: {"code": "MANIFEST_UNKNOWN", "message": "manifest unknown (injected)"},
}


def parse_faults(text):
    if text.startswith("@"):
        with open(text[1:]) as f:
            text = f.read()
    faults = json.loads(text or "[]")
    if isinstance(faults, dict):
        faults = faults.get("faults", [])
    if not isinstance(faults, list):
        raise ValueError("faults must be a JSON array")
    for fault in faults:
        if fault.get("kind") not in ("status", "reset", "delay", "corrupt"):
            raise ValueError(f"unknown fault kind in {fault}")
        re.compile(fault.get("path", ""))
        fault.setdefault("times", 1)
    return faults


def corrupt(body):
    """The body with one character changed, keeping its length and, when it holds a digest,
    keeping it valid JSON."""
    data = bytearray(body)
    match = re.search(rb"sha256:[0-9a-f]{64}", body)
    if match:
        i = match.start() + 7
        data[i] = ord("0") if data[i] != ord("0") else ord("1")
    elif data:
        data[len(data) // 2] ^= 0x01
    return bytes(data)


class State:
    def __init__(self, faults):
        self.lock = threading.Lock()
        self.faults = faults
        self.log = []

    def take(self, method, path, headers):
        """The fault to apply to this request, counting it; None to pass through."""
        with self.lock:
            for fault in self.faults:
                if fault["times"] == 0:
                    continue
                if fault.get("method") and fault["method"].upper() != method:
                    continue
                if fault.get("header") and fault["header"] not in headers:
                    continue
                if not re.search(fault.get("path", ""), path):
                    continue
                if fault["times"] > 0:
                    fault["times"] -= 1
                return dict(fault)
        return None

    def record(self, method, path, status, fault):
        with self.lock:
            self.log.append({"method": method, "path": path, "status": status,
                             "fault": fault["kind"] if fault else None})


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "imagepin-fault-proxy"
    state = None
    upstream = None  # "127.0.0.1:P"
    upstream_context = None  # ssl.SSLContext for a TLS upstream

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    # One upstream connection per client connection: keep-alive on both sides, so a client
    # that reuses its connection makes the proxy reuse one too.
    def upstream_conn(self):
        conn = getattr(self, "_upstream", None)
        if conn is None:
            if self.upstream_context:
                conn = http.client.HTTPSConnection(self.upstream, context=self.upstream_context,
                                                   timeout=60)
            else:
                conn = http.client.HTTPConnection(self.upstream, timeout=60)
            self._upstream = conn
        return conn

    def finish(self):
        super().finish()
        if getattr(self, "_upstream", None):
            self._upstream.close()

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length", "0") or "0")
        return self.rfile.read(length) if length else b""

    def send(self, status, headers, body, head=False):
        self.send_response(status)
        has_length = False
        for name, value in headers:
            if name.lower() in HOP_BY_HOP:
                continue
            if name.lower() == "content-length":
                has_length = True
            self.send_header(name, value)
        if not has_length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and body:
            self.wfile.write(body)

    def control(self, method, path, body):
        if path.startswith("/__faults"):
            if method == "POST":
                try:
                    faults = parse_faults(body.decode())
                except (ValueError, re.error) as e:
                    return self.send(400, [], json.dumps({"error": str(e)}).encode())
                with self.state.lock:
                    self.state.faults = faults
            with self.state.lock:
                data = json.dumps({"faults": self.state.faults}).encode()
            return self.send(200, [("Content-Type", "application/json")], data)
        if path.startswith("/__log"):
            with self.state.lock:
                data = json.dumps({"requests": self.state.log}).encode()
                if method == "DELETE" or "clear=1" in path:
                    self.state.log = []
            return self.send(200, [("Content-Type", "application/json")], data)
        return self.send(404, [], b"")

    def handle_any(self):
        method, path = self.command, self.path
        body = self.read_body()
        if path.startswith("/__"):
            return self.control(method, path, body)
        fault = self.state.take(method, path, self.headers)
        kind = fault["kind"] if fault else None
        if kind == "reset":
            self.state.record(method, path, 0, fault)
            self.reset()
            return
        if kind == "status":
            status = int(fault.get("status", 503))
            headers = list(fault.get("headers", {}).items())
            if "body" in fault:
                echoed = self.headers.get("Authorization", "")
                data = fault["body"].replace("{authorization}", echoed).encode()
            else:
                error = DEFAULT_BODIES.get(status, {"code": "UNAVAILABLE",
                                                    "message": "service unavailable (injected)"})
                data = json.dumps({"errors": [error]}).encode()
                headers.append(("Content-Type", "application/json"))
            self.state.record(method, path, status, fault)
            return self.send(status, headers, data, head=method == "HEAD")
        if kind == "delay":
            time.sleep(float(fault.get("seconds", 1)))
        # A list of pairs, not a dict: clients such as skopeo repeat headers (one Accept per
        # media type), and all of them must reach the registry.
        headers = [(k, v) for k, v in self.headers.items()
                   if k.lower() not in HOP_BY_HOP and k.lower() != "content-length"]
        if body or "Content-Length" in self.headers or "Transfer-Encoding" in self.headers:
            headers.append(("Content-Length", str(len(body))))
        conn = self.upstream_conn()
        try:
            conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for name, value in headers:
                conn.putheader(name, value)
            conn.endheaders(body or None)
            resp = conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            self._upstream = None
            self.state.record(method, path, 502, fault)
            return self.send(502, [], f"upstream: {e}".encode())
        if kind == "corrupt" and data:
            data = corrupt(data)
        self.state.record(method, path, resp.status, fault)
        out_headers = [(k, v) for k, v in resp.getheaders() if k.lower() != "content-length"]
        if method == "HEAD":
            # Keep the registry's Content-Length: it is the size of the body a GET would get.
            out_headers += [(k, v) for k, v in resp.getheaders() if k.lower() == "content-length"]
        self.send(resp.status, out_headers, data, head=method == "HEAD")

    def reset(self):
        # SO_LINGER with a zero timeout makes close() send RST instead of FIN: the client sees
        # "connection reset by peer" mid-request. rfile holds a reference to the socket, so it
        # must be closed too for the descriptor to close now.
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.rfile.close()
            self.connection.close()
        except OSError:
            pass

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    tls_context = None

    def finish_request(self, request, client_address):
        # The TLS handshake runs in the connection's thread, not the accept loop.
        if not self.tls_context:
            self.RequestHandlerClass(request, client_address, self)
            return
        try:
            tls = self.tls_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            tls.close()  # wrap_socket detached `request`: the server's own close misses this one

    def handle_error(self, request, client_address):
        pass  # a client that went away is not news


def serve(args):
    Handler.state = State(parse_faults(args.faults))
    Handler.upstream = args.upstream
    if args.upstream_ca_file:
        Handler.upstream_context = ssl.create_default_context(cafile=args.upstream_ca_file)
    server = Server(("127.0.0.1", args.port), Handler)
    if args.tls_cert:
        server.tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server.tls_context.load_cert_chain(args.tls_cert, args.tls_key)
    info = {"host": f"127.0.0.1:{server.server_address[1]}"}
    if args.ready_file:
        with open(args.ready_file + ".tmp", "w") as f:
            json.dump(info, f)
        os.rename(args.ready_file + ".tmp", args.ready_file)
    print(json.dumps(info), flush=True)
    server.serve_forever()


def control(args):
    if args.ca_file:
        conn = http.client.HTTPSConnection(
            args.proxy, context=ssl.create_default_context(cafile=args.ca_file), timeout=10)
    else:
        conn = http.client.HTTPConnection(args.proxy, timeout=10)
    if args.set_faults is not None:
        text = args.set_faults
        if text.startswith("@"):
            with open(text[1:]) as f:
                text = f.read()
        conn.request("POST", "/__faults", body=text.encode(),
                     headers={"Content-Type": "application/json"})
    else:
        conn.request("DELETE" if args.clear else "GET", "/__log")
    resp = conn.getresponse()
    data = resp.read().decode()
    if resp.status != 200:
        print(f"fault_proxy: HTTP {resp.status}: {data}", file=sys.stderr)
        sys.exit(1)
    print(data, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve")
    p.add_argument("--upstream", required=True)
    p.add_argument("--faults", default="[]")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--upstream-ca-file")
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--ready-file")
    p.set_defaults(func=serve)
    p = sub.add_parser("control")
    p.add_argument("--proxy", required=True)
    p.add_argument("--ca-file", default="")
    p.add_argument("--set-faults")
    p.add_argument("--log", action="store_true")
    p.add_argument("--clear", action="store_true")
    p.set_defaults(func=control)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
