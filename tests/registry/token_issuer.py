"""A token issuer for the registry's `auth.token` mode (Docker token auth spec), stdlib only.

GET /token?service=S&scope=repository:NAME:pull[,push]...  (optional Authorization: Basic)
POST /token  (form: grant_type=password|refresh_token, service, scope, ...)  OAuth2 flavour
  -> {"token": JWT, "access_token": JWT, "expires_in": TTL, "issued_at": ...}
     (+ "refresh_token" for a password grant with access_type=offline)

Who gets what:
  valid Basic credentials or the identity (refresh) token -> every action asked for;
  no credentials -> a token whose access is empty (like Docker Hub for a private repo; the
                    registry then answers 401 insufficient_scope), or pull only with
                    --anonymous-pull;
  wrong credentials -> 401.
With --token-suffix TEXT (testreg.py start) every token ends in TEXT: a hostile issuer.

Many scopes in one request (`scope` repeated on a GET, space-separated in a POST's one `scope`)
are granted together, one access entry each, unless --multi-scope says otherwise (testreg.py
start) for a request naming several scopes that all ask for pull alone (a puller's bulk
request; a push's blob mount, pull,push plus pull, is left alone): `reject` answers 400
UNSUPPORTED (an issuer that takes one scope per request), `first-only` grants the first scope
only (the spec lets an issuer grant a subset and still answer 200).

The JWT is what distribution 2.8.2 accepts: alg RS256 with an `x5c` chain whose leaf verifies
against the registry's rootcertbundle; `aud` a plain string; `exp` set. No crypto library is
needed: RS256 (RSASSA-PKCS1-v1_5 with SHA-256, RFC 8017 section 8.2) is computed in-process,
by the `cryptography` package when it is installed (0.3 ms a token), else with Python's pow() on
the key's numbers, read once with `openssl rsa -text` (5 ms). Running `openssl dgst -sign` per
token took 25-50 ms of process start-up, and on a 2-core machine the issuer's CPU, not the
client, became the cost of token mode. The in-process signature is checked against `openssl
dgst -sign` once at start-up (PKCS#1 v1.5 is deterministic: both must be the same bytes); if
none matches, every token is signed by openssl.

Every request is logged to tokens.log as one JSON line (never a secret), so tests can count
token requests and see the scopes asked for.
"""

import base64
import hashlib
import http.server
import json
import os
import secrets
import subprocess
import threading
import time
import urllib.parse


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# DER of DigestInfo{sha256, NULL} before the 32-byte hash (RFC 8017 section 9.2, note 1).
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


class RsaKey:
    """An RSA private key's CRT numbers, read from `openssl rsa -noout -text`."""

    FIELDS = ("modulus", "prime1", "prime2", "exponent1", "exponent2", "coefficient")

    def __init__(self, path):
        text = subprocess.run(["openssl", "rsa", "-in", path, "-noout", "-text"], check=True,
                              capture_output=True, text=True).stdout
        numbers, name = {}, None
        for line in text.splitlines():
            if not line.startswith(" ") and line.rstrip().endswith(":"):
                name = line.strip()[:-1]
                numbers[name] = ""
            elif line.startswith(" ") and name in self.FIELDS:
                numbers[name] += line.strip().replace(":", "")
            else:
                name = None
        n, p, q, dp, dq, qinv = (int(numbers[f], 16) for f in self.FIELDS)
        self.n, self.p, self.q, self.dp, self.dq, self.qinv = n, p, q, dp, dq, qinv
        self.size = (n.bit_length() + 7) // 8

    def sign_sha256(self, data):
        """RSASSA-PKCS1-v1_5 with SHA-256: EMSA-PKCS1-v1_5 encoding, then m^d mod n by CRT."""
        t = SHA256_DIGEST_INFO + hashlib.sha256(data).digest()
        em = b"\x00\x01" + b"\xff" * (self.size - len(t) - 3) + b"\x00" + t
        m = int.from_bytes(em, "big")
        s1, s2 = pow(m, self.dp, self.p), pow(m, self.dq, self.q)
        s = s2 + self.q * ((self.qinv * (s1 - s2)) % self.p)
        return s.to_bytes(self.size, "big")


class Issuer:
    def __init__(self, dir, service, issuer, user, password, identity_token, ttl, anonymous_pull,
                 token_suffix="", multi_scope="grant"):
        self.dir = dir
        self.service, self.issuer = service, issuer
        self.user, self.password = user, password
        self.identity_token = identity_token
        self.ttl, self.anonymous_pull = ttl, anonymous_pull
        # A hostile issuer's addition to every token (e.g. "\r\nX-Injected: yes").
        self.token_suffix = token_suffix
        # "grant" (every scope asked), "reject" (400 to more than one), "first-only".
        self.multi_scope = multi_scope
        self.key = os.path.join(dir, "token.key")
        der = subprocess.run(["openssl", "x509", "-in", os.path.join(dir, "token.pem"),
                              "-outform", "DER"], check=True, capture_output=True).stdout
        self.x5c = [base64.b64encode(der).decode()]
        self.rs256 = self.in_process_rs256() or self.openssl_rs256
        self.log_lock = threading.Lock()

    def sign(self, subject, access):
        now = int(time.time())
        header = {"alg": "RS256", "typ": "JWT", "x5c": self.x5c}
        claims = {"iss": self.issuer, "sub": subject, "aud": self.service, "exp": now + self.ttl,
                  "nbf": now - 10, "iat": now, "jti": secrets.token_hex(8), "access": access}
        signing_input = (b64url(json.dumps(header).encode()) + "." +
                         b64url(json.dumps(claims).encode())).encode()
        return signing_input.decode() + "." + b64url(self.rs256(signing_input))

    def openssl_rs256(self, data):
        return subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.key], input=data,
                              check=True, capture_output=True).stdout

    def in_process_rs256(self):
        """The first in-process signer whose bytes match openssl's, or None: the `cryptography`
        package's (OpenSSL in-process, 0.3 ms; python3-cryptography, scripts/install-deps.sh)
        when it imports, else RsaKey's pow() (5 ms)."""
        signers = []
        try:
            from cryptography.hazmat.primitives import hashes, serialization
            from cryptography.hazmat.primitives.asymmetric import padding
            with open(self.key, "rb") as f:
                key = serialization.load_pem_private_key(f.read(), password=None)
            signers.append(lambda data: key.sign(data, padding.PKCS1v15(), hashes.SHA256()))
        except Exception:  # not installed, or a version that reads the key otherwise
            pass
        try:
            signers.append(RsaKey(self.key).sign_sha256)
        except (subprocess.CalledProcessError, KeyError, ValueError):
            pass
        probe = b"imagepin token issuer self-check"
        expected = self.openssl_rs256(probe)
        return next((sign for sign in signers if sign(probe) == expected), None)

    def log(self, entry):
        with self.log_lock, open(os.path.join(self.dir, "tokens.log"), "a") as f:
            f.write(json.dumps(entry) + "\n")


def parse_scopes(scopes):
    """["repository:a/b:pull,push", ...] -> access claims."""
    access = []
    for scope in scopes:
        for item in scope.split(" "):
            parts = item.split(":")
            if len(parts) < 3:
                continue
            # A name may hold a port ("127.0.0.1:5000/x" is not a name, but be lenient).
            kind, name, actions = parts[0], ":".join(parts[1:-1]), parts[-1]
            access.append({"type": kind, "name": name, "actions": actions.split(",")})
    return access


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY, as Go's servers (distribution's, Docker's token servers) set by default. With
    # Nagle on, the body, written after the headers, waits for the client's delayed ACK of them:
    # 40 ms on every token request after a kept-alive connection's first.
    disable_nagle_algorithm = True
    issuer = None  # set by serve()

    def log_message(self, fmt, *args):  # quiet: tokens.log is the record
        pass

    def reply(self, status, body, extra=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def basic_identity(self):
        """"none", "ok" or "bad", from the Authorization header."""
        header = self.headers.get("Authorization", "")
        if not header:
            return "none"
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return "bad"
        try:
            user, _, password = base64.b64decode(value).decode().partition(":")
        except Exception:
            return "bad"
        ok = user == self.issuer.user and password == self.issuer.password
        return "ok" if ok else "bad"

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/token":
            return self.reply(404, {"error": "not found"})
        query = urllib.parse.parse_qs(url.query)
        self.grant("GET", query.get("scope", []), self.basic_identity(), "basic", query, False)

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        if url.path != "/token":
            return self.reply(404, {"error": "not found"})
        grant = form.get("grant_type", [""])[0]
        if grant == "refresh_token":
            ok = form.get("refresh_token", [""])[0] == self.issuer.identity_token
        elif grant == "password":
            ok = (form.get("username", [""])[0] == self.issuer.user and
                  form.get("password", [""])[0] == self.issuer.password)
        else:
            return self.reply(400, {"error": "unsupported_grant_type"})
        offline = grant == "password" and form.get("access_type", [""])[0] == "offline"
        self.grant("POST", form.get("scope", []), "ok" if ok else "bad", grant, form, offline)

    def grant(self, method, scopes, identity, auth, params, offline):
        issuer = self.issuer
        service = params.get("service", [""])[0]
        entry = {"method": method, "auth": auth if identity != "none" else "none",
                 "service": service, "scope": scopes, "result": identity}
        if identity == "bad":
            issuer.log(entry)
            return self.reply(401, {"errors": [{"code": "UNAUTHORIZED",
                                                "message": "invalid credentials"}]},
                              {"WWW-Authenticate": 'Basic realm="imagepin-test-issuer"'})
        if service and service != issuer.service:
            entry["result"] = "wrong-service"
            issuer.log(entry)
            return self.reply(400, {"error": f"unknown service {service!r}"})
        access = parse_scopes(scopes)
        entry["scopes_asked"] = len(access)
        # The faults are for a puller's bulk requests; a push's blob mount names two
        # repositories too (pull,push and pull) and must keep working, or nothing can be pushed.
        bulk_pull = len(access) > 1 and all(a["actions"] == ["pull"] for a in access)
        if bulk_pull and issuer.multi_scope == "reject":
            entry["result"] = "rejected-multi-scope"
            issuer.log(entry)
            return self.reply(400, {"errors": [{"code": "UNSUPPORTED",
                                                "message": "one scope per token request"}]})
        if bulk_pull and issuer.multi_scope == "first-only":
            access = access[:1]
        if identity == "none":
            for a in access:
                a["actions"] = ["pull"] if issuer.anonymous_pull and "pull" in a["actions"] else []
            access = [a for a in access if a["actions"]]
        entry["granted"] = access
        issuer.log(entry)
        token = issuer.sign(issuer.user if identity == "ok" else "", access) + issuer.token_suffix
        body = {"token": token, "access_token": token, "expires_in": issuer.ttl,
                "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        if offline:
            body["refresh_token"] = issuer.identity_token
        self.reply(200, body)


def serve(dir, port, ready_file, **kwargs):
    """Serves forever on 127.0.0.1:port (0: any free port), writing {"port": P} to ready_file
    once it listens."""
    Handler.issuer = Issuer(dir, **kwargs)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    with open(ready_file + ".tmp", "w") as f:
        json.dump({"port": server.server_address[1]}, f)
    os.rename(ready_file + ".tmp", ready_file)
    server.serve_forever()
