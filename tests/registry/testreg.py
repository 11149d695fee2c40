#!/usr/bin/env python3
"""Real registries on loopback for imagepin's tests (python3 stdlib; openssl and htpasswd CLIs).

  testreg.py start --dir DIR --mode plain|basic|token|tls [--port 0] [--watch-pid PID]
                   [--anonymous-pull] [--token-ttl SECONDS] [--token-suffix TEXT]
                   [--multi-scope grant|reject|first-only]
      Starts docker-registry (and for token mode a token issuer) in the background with a config
      written into DIR, waits until GET /v2/ answers, prints one JSON line:
      {"host", "mode", "user", "password", "identity_token", "ca_file", "token_realm",
       "service", "pids", "dir"}
  testreg.py stop --dir DIR            stops everything started for DIR
  testreg.py proxy --dir DIR [--faults JSON]
      Starts a fault_proxy.py in front of DIR's registry; prints {"host", "ca_file", "pid"}.
  testreg.py push --host H [--ca-file F | --insecure] [--user U --password P] [--revision R]
                  --repo NAME --tag TAG --kind index|index-amd64-only|manifest-list|single
                  [--seed S]
      Prints {"digest", "media_type", "repo", "tag", "platforms": {"linux/amd64": digest...}}.
  testreg.py push-many ... --count N --prefix acme/svc- --tag TAG [--kind K] [--seed S]
      Pushes prefix0..prefix<N-1> over one connection, mounting blobs from the first;
      prints {"count", "digest", "digests", "seconds"}.

See README.md in this folder.
"""

import argparse
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)
import images  # noqa: E402

SERVICE = "imagepin-test-registry"
ISSUER = "imagepin-test-issuer"
USER = "imagepin"
READY_TIMEOUT = 30  # seconds; docker-registry is ready in ~1 s, but CI machines are busy


def die(message, code=1):
    print(f"testreg: {message}", file=sys.stderr)
    sys.exit(code)


def log_tail(path, lines=30):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


# ---- processes -------------------------------------------------------------------------------
# Started processes are recorded in DIR/pids.json with their start time (from /proc), so a stop
# long after never signals an unrelated process that reused the pid.

def start_time(pid):
    """The process's start time in clock ticks, or None when it is gone or a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


def alive(entry):
    return start_time(entry["pid"]) == entry["start"]


def read_pids(dir):
    try:
        with open(os.path.join(dir, "pids.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return []


def record_pid(dir, name, pid):
    entries = read_pids(dir)
    entries.append({"name": name, "pid": pid, "start": start_time(pid)})
    tmp = os.path.join(dir, "pids.json.tmp")
    with open(tmp, "w") as f:
        json.dump(entries, f)
    os.rename(tmp, os.path.join(dir, "pids.json"))


def clean_env():
    # distribution reads REGISTRY_* variables as config overrides: REGISTRY_AUTH_FILE (a podman
    # variable the credential tests set) would become auth.file and break the registry.
    return {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}


def spawn(dir, name, argv):
    """Starts argv in its own session (so it outlives us and ignores our terminal), output to
    DIR/<name>.log."""
    with open(os.path.join(dir, name + ".log"), "ab") as log:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True, close_fds=True, env=clean_env(), cwd=dir)
    record_pid(dir, name, proc.pid)
    return proc


def stop_processes(dir, skip_pid=None):
    entries = [e for e in read_pids(dir) if e["pid"] != skip_pid and alive(e)]
    for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 2.0)):
        for e in entries:
            try:
                os.killpg(e["pid"], sig)  # the session leader's group: the process and its children
            except ProcessLookupError:
                pass
            except PermissionError:
                os.kill(e["pid"], sig)
        deadline = time.monotonic() + grace
        while entries and time.monotonic() < deadline:
            entries = [e for e in entries if alive(e)]
            time.sleep(0.02)
        if not entries:
            break
    try:
        os.remove(os.path.join(dir, "pids.json"))
    except OSError:
        pass


def wait_for_file(path, proc, what, log):
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if os.path.exists(path):
            with open(path) as f:
                return json.load(f)
        if proc.poll() is not None:
            die(f"{what} exited with {proc.returncode}:\n{log_tail(log)}")
        time.sleep(0.02)
    die(f"{what} not ready after {READY_TIMEOUT}s:\n{log_tail(log)}")


# ---- certificates and passwords --------------------------------------------------------------

def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_tls_certs(dir):
    """A CA and a server certificate for 127.0.0.1 and localhost (Go and curl need the SAN)."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "7",
            "-subj", "/CN=imagepin test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=dir)
    openssl("req", "-new", *ec, "-keyout", "server.key", "-out", "server.csr",
            "-subj", "/CN=localhost", cwd=dir)
    with open(os.path.join(dir, "server.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
                "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-set_serial", str(secrets.randbits(63)), "-days", "7", "-extfile", "server.ext",
            "-out", "server.pem", cwd=dir)


def make_token_signer(dir):
    """The issuer's RSA key and the self-signed cert the registry trusts (rootcertbundle)."""
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "token.key",
            "-out", "token.pem", "-days", "7", "-subj", f"/CN={ISSUER}", cwd=dir)


# ---- start -----------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def registry_config(dir, port, mode, realm):
    lines = [
        "version: 0.1",
        "log:",
        "  level: info",
        "  formatter: text",
        "storage:",
        "  filesystem:",
        f"    rootdirectory: {dir}/storage",
        "  delete:",
        "    enabled: true",
        "  cache:",
        "    blobdescriptor: inmemory",
        "http:",
        f"  addr: 127.0.0.1:{port}",
        f"  secret: {secrets.token_hex(16)}",
    ]
    if mode == "tls":
        lines += ["  tls:", f"    certificate: {dir}/server.pem", f"    key: {dir}/server.key"]
    lines += ["health:", "  storagedriver:", "    enabled: false"]
    if mode == "basic":
        lines += ["auth:", "  htpasswd:", "    realm: imagepin-test", f"    path: {dir}/htpasswd"]
    if mode == "token":
        lines += ["auth:", "  token:", f"    realm: {realm}", f"    service: {SERVICE}",
                  f"    issuer: {ISSUER}", f"    rootcertbundle: {dir}/token.pem"]
    return "\n".join(lines) + "\n"


def v2_status(host, context):
    """The status of GET /v2/, or None when nothing answers yet."""
    conn = (http.client.HTTPSConnection(host, context=context, timeout=2) if context
            else http.client.HTTPConnection(host, timeout=2))
    try:
        conn.request("GET", "/v2/")
        return conn.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def start_registry(dir, mode, realm, fixed_port):
    context = ssl.create_default_context(cafile=os.path.join(dir, "ca.pem")) if mode == "tls" else None
    log = os.path.join(dir, "registry.log")
    for _ in range(5):
        port = fixed_port or free_port()
        config = os.path.join(dir, "config.yml")
        with open(config, "w") as f:
            f.write(registry_config(dir, port, mode, realm))
        proc = spawn(dir, "registry", ["docker-registry", "serve", config])
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if v2_status(f"127.0.0.1:{port}", context) in (200, 401):
                return port
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        else:
            proc.kill()
            die(f"docker-registry not ready after {READY_TIMEOUT}s:\n{log_tail(log)}")
        # Another process took the port between free_port() and the bind: try another one.
        if fixed_port or "address already in use" not in log_tail(log, 5):
            die(f"docker-registry exited with {proc.returncode}:\n{log_tail(log)}")
    die("no free port after 5 tries")


def cmd_start(args):
    if not shutil.which("docker-registry"):
        die("docker-registry is not installed: run scripts/install-deps.sh", 3)
    dir = os.path.abspath(args.dir)
    os.makedirs(os.path.join(dir, "storage"), exist_ok=True)
    if read_pids(dir):
        die(f"{dir} already has running processes; stop it first")
    info = {"mode": args.mode, "dir": dir, "user": "", "password": "", "identity_token": "",
            "ca_file": "", "token_realm": "", "service": ""}
    if args.mode in ("basic", "token"):
        info["user"], info["password"] = USER, "pw-" + secrets.token_hex(8)
    if args.mode == "basic":
        # bcrypt only: distribution refuses $apr1$ entries.
        subprocess.run(["htpasswd", "-Bbc", os.path.join(dir, "htpasswd"), info["user"],
                        info["password"]], check=True, capture_output=True)
    if args.mode == "tls":
        make_tls_certs(dir)
        info["ca_file"] = os.path.join(dir, "ca.pem")
    if args.mode == "token":
        make_token_signer(dir)
        info["identity_token"] = "idt-" + secrets.token_hex(12)
        info["service"] = SERVICE
        issuer_config = os.path.join(dir, "issuer.json")
        with open(os.open(issuer_config, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            json.dump({"service": SERVICE, "issuer": ISSUER, "user": info["user"],
                       "password": info["password"], "identity_token": info["identity_token"],
                       "ttl": args.token_ttl, "anonymous_pull": args.anonymous_pull,
                       "token_suffix": args.token_suffix, "multi_scope": args.multi_scope}, f)
        ready = os.path.join(dir, "issuer-ready.json")
        proc = spawn(dir, "issuer", [sys.executable, os.path.abspath(__file__), "token-server",
                                     "--dir", dir, "--ready-file", ready])
        port = wait_for_file(ready, proc, "token issuer", os.path.join(dir, "issuer.log"))["port"]
        info["token_realm"] = f"http://127.0.0.1:{port}/token"
    port = start_registry(dir, args.mode, info["token_realm"], args.port)
    info["host"] = f"127.0.0.1:{port}"
    if args.watch_pid:
        watched_start = start_time(args.watch_pid)
        if watched_start is None:
            stop_processes(dir)
            die(f"--watch-pid {args.watch_pid}: no such process")
        spawn(dir, "watchdog", [sys.executable, os.path.abspath(__file__), "watchdog",
                                "--dir", dir, "--pid", str(args.watch_pid),
                                "--pid-start", str(watched_start)])
    info["pids"] = [e["pid"] for e in read_pids(dir)]
    with open(os.path.join(dir, "info.json"), "w") as f:
        json.dump(info, f)
    print(json.dumps(info), flush=True)


def cmd_stop(args):
    dir = os.path.abspath(args.dir)
    stop_processes(dir)
    shutil.rmtree(os.path.join(dir, "storage"), ignore_errors=True)
    if args.remove:
        shutil.rmtree(dir, ignore_errors=True)


def cmd_token_server(args):
    import token_issuer
    with open(os.path.join(args.dir, "issuer.json")) as f:
        c = json.load(f)
    token_issuer.serve(args.dir, 0, args.ready_file, service=c["service"], issuer=c["issuer"],
                       user=c["user"], password=c["password"], identity_token=c["identity_token"],
                       ttl=c["ttl"], anonymous_pull=c["anonymous_pull"],
                       token_suffix=c.get("token_suffix", ""),
                       multi_scope=c.get("multi_scope", "grant"))


def cmd_watchdog(args):
    """Stops DIR's processes and removes DIR when the watched process (a test binary) dies
    without stopping them; exits quietly when they were stopped normally."""
    # The start time comes from `start`, taken while the watched process was surely alive: it
    # may die before this process gets here.
    watched = {"pid": args.pid, "start": args.pid_start}
    print(f"watchdog: watching process {args.pid}", flush=True)
    me = os.getpid()
    while True:
        time.sleep(0.5)
        if not os.path.exists(os.path.join(args.dir, "pids.json")):
            return
        if not alive(watched):
            print(f"watchdog: process {args.pid} ended; stopping {args.dir}", flush=True)
            stop_processes(args.dir, skip_pid=me)
            shutil.rmtree(args.dir, ignore_errors=True)
            return


def cmd_proxy(args):
    dir = os.path.abspath(args.dir)
    with open(os.path.join(dir, "info.json")) as f:
        info = json.load(f)
    n = sum(1 for e in read_pids(dir) if e["name"].startswith("proxy-"))
    name = f"proxy-{n}"
    ready = os.path.join(dir, name + ".json")
    argv = [sys.executable, os.path.join(HERE, "fault_proxy.py"), "serve", "--upstream",
            info["host"], "--ready-file", ready, "--faults", args.faults]
    if info["ca_file"]:
        # TLS on both sides: clients keep using the registry's CA (the cert names 127.0.0.1).
        argv += ["--upstream-ca-file", info["ca_file"], "--tls-cert",
                 os.path.join(dir, "server.pem"), "--tls-key", os.path.join(dir, "server.key")]
    proc = spawn(dir, name, argv)
    result = wait_for_file(ready, proc, "fault proxy", os.path.join(dir, name + ".log"))
    result.update({"ca_file": info["ca_file"], "pid": proc.pid})
    print(json.dumps(result), flush=True)


# ---- push ------------------------------------------------------------------------------------

def client_from(args):
    return images.Client(args.host, ca_file=args.ca_file, insecure=args.insecure,
                         user=args.user, password=args.password)


def cmd_push(args):
    image = images.build_image(args.kind, args.seed, args.revision)
    try:
        digest = client_from(args).push(args.repo, args.tag, image)
    except (images.PushError, OSError) as e:
        die(f"push {args.repo}:{args.tag}: {e}")
    print(json.dumps({"digest": digest, "media_type": image.top[0], "repo": args.repo,
                      "tag": args.tag, "platforms": image.platforms}), flush=True)


def cmd_push_many(args):
    image = images.build_image(args.kind, args.seed)
    client = client_from(args)
    began = time.monotonic()
    digests = []
    first = f"{args.prefix}0"
    try:
        for i in range(args.count):
            repo = f"{args.prefix}{i}"
            digests.append(client.push(repo, args.tag, image, mount_from=first if i else None))
    except (images.PushError, OSError) as e:
        die(f"push-many at {args.prefix}{len(digests)}: {e}")
    print(json.dumps({"count": args.count, "digest": digests[0] if digests else "",
                      "digests": digests, "seconds": round(time.monotonic() - began, 3)}),
          flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("start")
    p.add_argument("--dir", required=True)
    p.add_argument("--mode", choices=("plain", "basic", "token", "tls"), default="plain")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--watch-pid", type=int, default=0)
    p.add_argument("--anonymous-pull", action="store_true",
                   help="token mode: anonymous token requests get pull access")
    p.add_argument("--token-ttl", type=int, default=300)
    p.add_argument("--token-suffix", default="",
                   help="token mode: appended to every token issued (a hostile issuer, e.g. "
                        "CR LF and a header, for the client's header-injection tests)")
    p.add_argument("--multi-scope", choices=("grant", "reject", "first-only"), default="grant",
                   help="token mode: what the issuer does with a request naming many scopes: "
                        "grant them all, reject it (400), or grant the first only")
    p.set_defaults(func=cmd_start)

    p = sub.add_parser("stop")
    p.add_argument("--dir", required=True)
    p.add_argument("--remove", action="store_true", help="also remove DIR")
    p.set_defaults(func=cmd_stop)

    p = sub.add_parser("proxy")
    p.add_argument("--dir", required=True)
    p.add_argument("--faults", default="[]", help="JSON array of faults, or @FILE")
    p.set_defaults(func=cmd_proxy)

    for name, func in (("push", cmd_push), ("push-many", cmd_push_many)):
        p = sub.add_parser(name)
        p.add_argument("--host", required=True)
        p.add_argument("--ca-file")
        p.add_argument("--insecure", action="store_true", help="TLS without verification")
        p.add_argument("--user")
        p.add_argument("--password")
        p.add_argument("--tag", required=True)
        p.add_argument("--kind", choices=images.KINDS, default="index")
        p.add_argument("--seed", type=int, default=0)
        if name == "push":
            p.add_argument("--repo", required=True)
            p.add_argument("--revision",
                           help="annotate the top-level manifest with "
                                "org.opencontainers.image.revision")
        else:
            p.add_argument("--count", type=int, required=True)
            p.add_argument("--prefix", required=True)
        p.set_defaults(func=func)

    p = sub.add_parser("token-server")  # internal: run by start
    p.add_argument("--dir", required=True)
    p.add_argument("--ready-file", required=True)
    p.set_defaults(func=cmd_token_server)

    p = sub.add_parser("watchdog")  # internal: run by start --watch-pid
    p.add_argument("--dir", required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--pid-start", type=int, required=True)
    p.set_defaults(func=cmd_watchdog)

    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
