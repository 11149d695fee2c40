#!/usr/bin/env python3
"""Push `<repo>:<tag>` for every repository named on stdin (one per line), each its own
multi-arch image (tests/registry/images.py, kind `index`, seed = the line number), over one
kept-alive connection per worker thread. Distinct seeds give every repository its own digests, so no client can
answer one repository from what it learnt about another.

  bump_bench_push.py --host 127.0.0.1:PORT --tag main [--user U --password P] [--workers 4] < repos.txt
Prints {"count", "seconds", "digests": {repo: digest}} as JSON.
"""

import argparse
import concurrent.futures
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "registry"))
import images  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--tag", required=True)
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--seed-offset", type=int, default=0,
                        help="added to every seed: another offset moves every tag")
    parser.add_argument("--workers", type=int, default=4,
                        help="threads, each with its own connection (the registry, not Python, "
                             "is the bottleneck)")
    args = parser.parse_args()
    repos = [line.strip() for line in sys.stdin if line.strip()]
    local = threading.local()

    def push(seed, repo):
        if not hasattr(local, "client"):
            local.client = images.Client(args.host, user=args.user, password=args.password)
        image = images.build_image("index", seed + args.seed_offset)
        try:
            return repo, local.client.push(repo, args.tag, image)
        except (images.PushError, OSError) as e:
            sys.exit(f"bump_bench_push: {repo}:{args.tag}: {e}")

    began = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(args.workers, 1)) as pool:
        pushed = list(pool.map(push, range(1, len(repos) + 1), repos))
    print(json.dumps({"count": len(repos), "seconds": round(time.monotonic() - began, 3),
                      "digests": dict(pushed)}))


if __name__ == "__main__":
    main()
