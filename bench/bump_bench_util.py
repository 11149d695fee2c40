#!/usr/bin/env python3
"""Helpers of bench/bump_bench.sh (python3 stdlib only).

  repos TREE              the distinct first-party repositories (without "ghcr.io/") that
                          `imagepin bump` targets in TREE: every first-party `image.ref`
                          under sources/values/env/{local,dev}, read from the generator's
                          TREE/.refs.jsonl (gen_gitops.py --list-refs)
  verify BUMP_JSON PUSH_JSON REPOS
                          checks `imagepin bump --format json`: no errors, exactly the
                          repositories in REPOS, every new digest the one pushed; prints a summary
  requests REGISTRY_LOG SKIP IMAGES
                          the requests in the registry's log after its first SKIP lines: by
                          kind, per image, and over how many connections
  curlconf KIND HOST PUSH_JSON
                          a curl config (curl -K) fetching every pushed repository's `main`
                          manifest over one connection: KIND `head` (HEAD by tag: the floor),
                          `get` (GET by tag) or `head+get` (HEAD by tag, then GET by digest:
                          imagepin's requests, sent one after another)
  tokens TOKENS_LOG SKIP REPOS
                          token requests in the issuer's tokens.log after its first SKIP lines:
                          how many, and per repository
"""

import collections
import json
import re
import sys

FIRST_PARTY = "ghcr.io/"
FAST_LANES = ("sources/values/env/local/", "sources/values/env/dev/")


def repository_of(value):
    name = value.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name = name.rsplit(":", 1)[0]
    return name


def cmd_repos(tree):
    repos = set()
    with open(f"{tree}/.refs.jsonl") as f:
        for line in f:
            ref = json.loads(line)
            if not ref["file"].startswith(FAST_LANES) or not ref.get("first_party"):
                continue
            if ref["form"] != "ref":  # split forms are not bump's business
                continue
            repos.add(repository_of(ref["value"]).removeprefix(FIRST_PARTY))
    print("\n".join(sorted(repos)))


def read_repos(path):
    with open(path) as f:
        return {line.strip() for line in f if line.strip()}


def cmd_verify(bump_json, push_json, repos_file):
    with open(bump_json) as f:
        bump = json.load(f)
    with open(push_json) as f:
        pushed = json.load(f)["digests"]
    expected = read_repos(repos_file)
    changes = bump["changes"]
    errors = [c for c in changes if c["error"]]
    seen = {c["repository"].removeprefix(FIRST_PARTY) for c in changes}
    wrong = [c for c in changes
             if not c["error"] and c["new"] != pushed.get(c["repository"].removeprefix(FIRST_PARTY))]
    problems = []
    if errors:
        problems.append(f"{len(errors)} errors, first: {errors[0]['error']}")
    if seen != expected:
        problems.append(f"repositories differ: {len(seen - expected)} unexpected, "
                        f"{len(expected - seen)} missing")
    if wrong:
        problems.append(f"{len(wrong)} refs not at the pushed digest, first: {wrong[0]['path']}")
    changed = sum(1 for c in changes if c["changed"])
    print(json.dumps({"refs": len(changes), "repositories": len(seen), "changed": changed,
                      "files_written": bump["filesWritten"], "dry_run": bump["dryRun"],
                      "problems": problems}))
    sys.exit(1 if problems else 0)


ACCESS = re.compile(r'"([A-Z]+) (\S+) HTTP/[0-9.]+" (\d{3}) ')
REMOTE = re.compile(r'http\.request\.remoteaddr="?([0-9.:\[\]a-f]+)"?')


def cmd_requests(registry_log, skip, images):
    """Reads the registry's own log (distribution logs every request twice: a logrus line with
    the client's address and port, and an Apache combined line with method, URI and status)."""
    kinds = collections.Counter()
    remotes = set()
    requests = 0
    with open(registry_log) as f:
        lines = f.readlines()[skip:]
    for line in lines:
        if 'msg="response completed"' in line or "msg=\"response completed\"" in line:
            m = REMOTE.search(line)
            if m:
                remotes.add(m.group(1))
            continue
        m = ACCESS.search(line)
        if not m:
            continue
        method, path, status = m.group(1), m.group(2), int(m.group(3))
        requests += 1
        if "/manifests/" in path:
            by = "digest" if "/manifests/sha256:" in path else "tag"
            kinds[f"{method} manifest by {by}"] += 1
        elif "/blobs/" in path:
            kinds[f"{method} blob"] += 1
        elif path.rstrip("/") == "/v2":
            kinds[f"{method} /v2/"] += 1
        elif path.endswith("/tags/list") or "/tags/list?" in path:
            kinds[f"{method} tags/list"] += 1
        else:
            kinds[f"{method} other"] += 1
        if status == 401:
            kinds["(of which answered 401)"] += 1
    manifests = sum(n for k, n in kinds.items() if " manifest " in k)
    print(json.dumps({"requests": requests, "manifest_requests": manifests,
                      "manifest_requests_per_image": round(manifests / images, 3),
                      "requests_per_image": round(requests / images, 3),
                      "connections": len(remotes), "by_kind": dict(sorted(kinds.items()))}))


ACCEPT = ("Accept: application/vnd.oci.image.index.v1+json, "
          "application/vnd.docker.distribution.manifest.list.v2+json, "
          "application/vnd.oci.image.manifest.v1+json, "
          "application/vnd.docker.distribution.manifest.v2+json")


def cmd_curlconf(kind, host, push_json):
    if kind not in ("head", "get", "head+get"):
        sys.exit(f"curlconf: unknown kind {kind!r}")
    with open(push_json) as f:
        pushed = json.load(f)["digests"]

    def options(head):
        return ["silent"] + (["head"] if head else []) + [f'header = "{ACCEPT}"']

    def target(url):
        return [f'url = "{url}"', 'output = "/dev/null"']

    base = f"http://{host}/v2/{{}}/manifests/"
    if kind != "head+get":  # one set of options for every URL
        lines = options(head=kind == "head")
        for repo in pushed:
            lines += target(base.format(repo) + "main")
        print("\n".join(lines))
        return
    # `next` starts another set of options; curl keeps the connection across them.
    blocks = []
    for repo, digest in pushed.items():
        blocks.append(options(head=True) + target(base.format(repo) + "main"))
        blocks.append(options(head=False) + target(base.format(repo) + digest))
    print("\nnext\n".join("\n".join(b) for b in blocks))


def cmd_tokens(tokens_log, skip, repos_file):
    repos = len(read_repos(repos_file))
    with open(tokens_log) as f:
        entries = [json.loads(line) for line in f.readlines()[int(skip):] if line.strip()]
    print(json.dumps({"token_requests": len(entries),
                      "per_repository": round(len(entries) / repos, 3),
                      "methods": dict(collections.Counter(e.get("method", "?") for e in entries))}))


def main():
    commands = {"repos": (cmd_repos, 1), "verify": (cmd_verify, 3),
                "requests": (cmd_requests, 3), "tokens": (cmd_tokens, 3),
                "curlconf": (cmd_curlconf, 3)}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    func, nargs = commands[sys.argv[1]]
    if len(sys.argv) != 2 + nargs:
        sys.exit(__doc__)
    args = sys.argv[2:]
    if func is cmd_requests:
        args[1:] = [int(args[1]), int(args[2])]
    func(*args)


if __name__ == "__main__":
    main()
