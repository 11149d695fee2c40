#!/usr/bin/env python3
"""The review of find_candidates.py's candidates, written down: which are image references.

Every candidate ends as exactly one of
  * a truth entry: path, line, class, reference (one per image, at the line imagepin should point
    to: a string's scalar, a split mapping's parent key, a list item's first key), or
  * a rejection with the reason of its class (REJECT_* below), or
  * "needs review": a candidate no rule decides. Those are listed and the script fails until each
    is decided in the decisions file (path, line, accept CLASS REF | reject REASON).

The rules below were written after reading the candidates of ../shared/corpus file by file (see
README.md); they encode that human judgement so it can be re-run and argued with, not imagepin's
extractor. A decisions file overrides any rule for one candidate line.

Usage: judge.py CANDIDATES.jsonl DECISIONS.tsv TRUTH.tsv REJECTED.tsv
"""
import collections
import json
import re
import sys

# Parts of a split mapping, and keys that only configure pulling.
REF_PARTS = {"registry", "repository", "repo", "image", "name", "tag", "digest", "sha", "hub",
             "imageTag", "version"}
REPO_KEYS = {"repository", "repo", "image", "name"}
TAG_KEYS = {"tag", "digest", "sha", "imageTag"}
PULL_KEYS = re.compile(r"^(imagePullPolicy|pullPolicy|imagePullSecrets?|pullSecrets?|"
                       r"allowInsecureImages)$")
SCHEMA_KEYS = {"type", "description", "properties", "items", "enum", "format", "x-kubernetes-list-type",
               "nullable", "default", "$ref", "oneOf", "anyOf", "additionalProperties"}
IMAGE_SEGMENT = re.compile(r"(^|[._-])[A-Za-z0-9]*[iI]mage[A-Za-z0-9]*$")
PLACEHOLDER = re.compile(r"\{\{|\{[A-Z_]+\}|<[^>]+>|\$\{|\$\(|^$|ko://|REPLACE|CHANGEME", re.I)
URLISH = re.compile(r"^(https?|git|ssh|oci|file)://|^git@|\.git$")
# A reference as written (loose: any case in the tag, optional digest), for env and args.
REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]*(?::[A-Za-z0-9_][A-Za-z0-9_.-]*)?"
                 r"(?:@sha256:[0-9a-f]{64})?$")


def segs(key_path):
    """Key path → its segments, list indexes dropped, block-scalar documents kept apart."""
    parts = re.split(r"\.(?![^\[]*\])", key_path)
    return [re.sub(r"\[\d+\]$", "", p) for p in parts]


def last_key(key_path):
    return segs(key_path)[-1]


def in_test_assert(key_path):
    return re.search(r"\.asserts\[\d+\]", key_path) is not None


def in_schema(key_path):
    return re.search(r"openAPIV3Schema|\.properties\.", key_path) is not None


def judge(c):
    """(class, reference) to accept, ('REJECT', reason), or None when no rule decides."""
    rule, kp, ref = c["rule"], c["keyPath"], c["reference"]
    key = c.get("key") or last_key(kp)
    if in_schema(kp):
        return ("REJECT", "CRD OpenAPI schema: `image` is a property name, not a reference")
    if in_test_assert(kp):
        return ("REJECT", "helm-unittest assertion: the expected render output, not a value this "
                          "file sets (pinning it would break the test)")
    if re.search(r"^doc\d+\.build\.artifacts\[\d+\]\.image$", kp):
        return ("REJECT", "skaffold build artifact: the name of an image being built, no tag")
    if re.search(r"\.rbd\.image$", kp):
        return ("REJECT", "Ceph RBD volume image name, not a container image")
    if rule in ("image-key-scalar",):
        return judge_image_scalar(c, kp, key, ref)
    if rule in ("image-key-mapping", "split-shape"):
        return judge_mapping(c, kp, key, ref)
    if rule == "image-key-list-mapping":
        return judge_list_mapping(c, kp, ref)
    if rule == "image-key-list-scalar":
        if "verifyImages" in kp:
            return ("REJECT", "Kyverno verifyImages pattern: a glob matching images, not a reference")
        return None
    if rule == "env":
        name = c.get("env", "")
        if REF.match(ref) and ("/" in ref or ":" in ref) and not re.match(r"^\d+$", ref):
            return ("env", ref)
        return ("REJECT", f"env var whose name mentions IMAGE but whose value is no reference "
                          f"(a service host or port)")
    if rule == "image-arg":
        return ("arg", ref)
    if rule in ("ref-shaped", "sha256"):
        if any(IMAGE_SEGMENT.search(s) for s in segs(kp)[:-1]) or IMAGE_SEGMENT.search(key):
            return ("REJECT", "part of an image field (decided with its field)")
        if re.search(r"\.images\[\d+\]\.(name|newName|digest)$", kp):
            return ("REJECT", "part of a kustomize images entry (decided with its entry)")
        if key in ("repository", "tag", "digest", "registry"):
            return ("REJECT", "part of a split mapping (decided with its mapping)")
        return ("REJECT", "reference-shaped scalar outside any image field, reviewed: API groups, "
                          "label/topology keys, host:port, module paths")
    if rule in ("unloadable-image-line", "embedded-text-image-line"):
        return None
    return None


def judge_image_scalar(c, kp, key, ref):
    if PULL_KEYS.match(key):
        return ("REJECT", "pull policy / pull secrets / insecure-registry switch, not a reference")
    if key in ("imageRegistry", "imageNamespace"):
        return ("REJECT", "a registry or namespace that the chart composes into each image "
                          "(counted in the composed image)")
    if "." in key:
        return ("DOTTED", None)  # helm-unittest `set` keys in --set syntax: grouped in main
    parent = c.get("parent", "")
    ancestors = c.get("ancestors") or []
    if key == "image" and len(ancestors) >= 2 and ancestors[-2] == "images":
        return ("REJECT", "the repository part of a split mapping (counted at its parent key)")
    sib = c.get("siblings") or {}
    if key == "image" and IMAGE_SEGMENT.search(parent) and sib.get("tag") is not None:
        return ("REJECT", "the repository part of a split mapping (counted at its parent key)")
    if key == "image" and ("registry" in sib or "hub" in sib) and sib.get("tag") is not None:
        return ("REJECT", "the repository part of a split mapping (counted at its parent key)")
    if ref.strip() == "" or PLACEHOLDER.search(ref):
        return ("placeholder", ref)
    if key == "image" and (sib.get("imageTag") or sib.get("tag")) and ":" not in ref.split("/")[-1]:
        return ("sibling-tag", f"{ref}:{sib.get('imageTag') or sib.get('tag')}")
    if key == "imageTag":
        return ("REJECT", "sibling tag of an `image` string (counted with the image)")
    if key == "image" or key.endswith("Image"):
        return ("string", ref)
    return None


def judge_mapping(c, kp, key, ref):
    keys = set(c.get("keys") or [])
    parts = keys & REF_PARTS
    if keys and keys <= SCHEMA_KEYS:
        return ("REJECT", "schema-like mapping (type/description), not a reference")
    if key == "images" and not (keys & REPO_KEYS) and not (keys & {"registry"}):
        if keys & TAG_KEYS:
            return ("REJECT", "an `images` defaults block (shared tag/pull policy), no repository")
        return ("REJECT", "an `images` map: its entries are the images (decided one by one)")
    if key == "images" and keys & {"repository"}:
        return ("REJECT", "a repository prefix + tag the chart composes with each service name "
                          "in its templates (no image is written here)")
    if not parts:
        sub_images = [k for k in keys if k not in REF_PARTS]
        if IMAGE_SEGMENT.search(key) and keys and not (keys & {"enabled", "env", "service"}):
            return ("REJECT", "an image mapping whose entries are the images (each a split "
                              "mapping, decided one by one)")
        if keys == {"distroless"}:
            return ("REJECT", "a variant flag (distroless: true), no reference part")
        return ("REJECT", "a key that mentions image but holds no reference part (a component "
                          "named image-provider, a feature block)")
    repo_vals = c.get("repo_values") or {}
    ancestors = c.get("ancestors") or []
    if c["rule"] == "split-shape" and not IMAGE_SEGMENT.search(key) and not (
            ancestors and (ancestors[-1] == "images" or
                           any(IMAGE_SEGMENT.search(a) for a in ancestors))):
        # Whatever its key: an image only with a repository-like part beside a tag/digest or a
        # registry, the repository no URL and no git/helm/snapshot repository.
        if "hub" in keys and c.get("hub_is_mapping"):
            return ("REJECT", "Traefik Hub settings block (`hub:` is a feature, not a registry)")
        if "image" in keys and not keys & {"repository", "registry", "hub"}:
            return ("REJECT", "a component block whose `image` string has a sibling tag key: "
                              "counted at the image string (sibling-tag)")
        if not (keys & REPO_KEYS):
            return ("REJECT", "registry or repo alone with no repository/tag: a metrics registry, "
                              "an OCI repo prefix, not an image")
        if not (keys & (TAG_KEYS | {"registry"})):
            return ("REJECT", "a repository with no tag/digest/registry beside it: a git, Helm "
                              "or snapshot repository")
        if URLISH.search(ref) or key in ("git", "cloneFilesFromGit") and "tag" not in keys:
            return ("REJECT", "URL-valued repository: a git or chart repository")
        if re.search(r"(^|\.)(dependencies|snapshot_config|source)(\.|$)", kp):
            return ("REJECT", "chart dependency / snapshot / source repository")
        return ("split-other", ref)
    # A mapping under an image-ish key.
    if not (keys & REPO_KEYS) and "tag" not in keys and "digest" not in keys and "sha" not in keys:
        return ("REJECT", "image mapping with registry alone (a default for other images), "
                          "not an image")
    if not (keys & REPO_KEYS):
        if keys & {"registry"} and c.get("all_empty", False):
            return ("REJECT", "registry/tag defaults with no repository")
        if "registry" in keys:
            return ("REJECT", "registry + tag defaults shared by the chart's images, no "
                              "repository (each component names its own)")
        return ("split", ref)  # a tag (or digest) alone: overrides the chart's repository
    if c.get("all_empty"):
        return ("split-empty", ref)
    if ancestors and ancestors[-1] == "images":
        return ("images-map", ref)
    if any(IMAGE_SEGMENT.search(a) for a in ancestors):
        return ("split-nested", ref)
    if "name" in keys and "repository" in keys and not c.get("repo_nonempty"):
        return ("composition", ref)
    if key != "image" and not key.endswith("Image"):
        return ("split-image-key", ref)  # imageOverride, image-foo: image in the key, not at its end
    return ("split", ref)


def judge_list_mapping(c, kp, ref):
    keys = set(c.get("keys") or [])
    if "verifyImages" in kp:
        return ("REJECT", "Kyverno verifyImages rule, not a reference")
    if keys <= {"path", "kind", "group", "version", "create"}:
        return ("REJECT", "kustomize transformer config field spec (a path), not an image")
    if "name" in keys and keys <= {"name", "newName", "newTag", "digest", "tagSuffix"}:
        return ("kustomize", ref)
    return None


def main():
    cands = [json.loads(l) for l in open(sys.argv[1])]
    decisions = {}
    for ln in open(sys.argv[2]):
        if ln.strip() and not ln.startswith("#"):
            f = ln.rstrip("\n").split("\t")
            decisions[(f[0], int(f[1]))] = f[2:]
    truth = {}      # (path, line) -> (class, ref, keyPath)
    rejected = collections.defaultdict(list)
    unreviewed = []
    dotted = collections.defaultdict(list)  # (path, mapping, prefix) -> [(part, candidate)]
    for c in cands:
        at = (c["path"], c["line"])
        d = decisions.get(at)
        if d:
            verdict = (d[1], d[2]) if d[0] == "accept" else ("REJECT", d[1])
        else:
            verdict = judge(c)
        if verdict is None:
            unreviewed.append(c)
            continue
        if verdict[0] == "DOTTED":
            prefix, _, part = c["key"].rpartition(".")
            parent_path = c["keyPath"][: len(c["keyPath"]) - len(c["key"])]
            dotted[(c["path"], parent_path, prefix)].append((part, c))
            continue
        if verdict[0] == "REJECT":
            rejected[verdict[1]].append(c)
            continue
        prev = truth.get(at)
        # One entry per line: the more specific class wins over a plain split/string.
        if prev is None or (prev[0] in ("split", "string") and verdict[0] not in ("split", "string")):
            truth[at] = (verdict[0], verdict[1], c["keyPath"])
    for (path, _, prefix), items in dotted.items():
        parts = {p: c["reference"] for p, c in items}
        first = min(items, key=lambda pc: pc[1]["line"])[1]
        if not parts.keys() & {"repository", "image", "name", "tag", "digest"}:
            for p, c in items:
                rejected["helm-unittest --set key for a registry or a security setting alone, "
                         "not an image"].append(c)
            continue
        ref = parts.get("repository") or parts.get("image") or parts.get("name") or ""
        if parts.get("registry"):
            ref = parts["registry"] + ("/" + ref if ref else "")
        if parts.get("tag"):
            ref += ":" + parts["tag"]
        if parts.get("digest"):
            ref += "@" + parts["digest"]
        truth.setdefault((path, first["line"]), ("dotted-set", ref, first["keyPath"]))
    # Rejected candidates on a line that is in the truth are not rejections of an image.
    with open(sys.argv[3], "w") as out:
        out.write("path\tline\tclass\treference\tkeyPath\n")
        for (p, l), (cls, ref, kp) in sorted(truth.items()):
            out.write(f"{p}\t{l}\t{cls}\t{ref}\t{kp}\n")
    with open(sys.argv[4], "w") as out:
        out.write("reason\tpath\tline\trule\tkeyPath\treference\n")
        for reason, cs in sorted(rejected.items()):
            for c in cs:
                if (c["path"], c["line"]) in truth:
                    continue
                out.write(f"{reason}\t{c['path']}\t{c['line']}\t{c['rule']}\t{c['keyPath']}\t"
                          f"{c['reference']}\n")
    print(f"truth entries: {len(truth)}", file=sys.stderr)
    for cls, n in collections.Counter(v[0] for v in truth.values()).most_common():
        print(f"  {cls}: {n}", file=sys.stderr)
    print("rejected:", file=sys.stderr)
    for reason, cs in sorted(rejected.items(), key=lambda x: -len(x[1])):
        print(f"  {len(cs):5d} {reason}", file=sys.stderr)
    if unreviewed:
        print(f"needs review: {len(unreviewed)}", file=sys.stderr)
        for c in unreviewed:
            print(f"  {c['path']}\t{c['line']}\t{c['rule']}\t{c['keyPath']}\t{c['reference']}",
                  file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
