#!/usr/bin/env python3
"""Candidate image references in a tree of YAML files, deliberately broader than imagepin.

This is the first half of building a ground truth (see README.md): it proposes every place a
reader *might* point to as a container image, with a rule name saying why it was proposed, and
the reference composed as a reader would write it. The second half is a human review of the
candidates (judge.py holds the decisions and the reason for each rejected class).

It shares no code or rules with imagepin's extractor: PyYAML (compose, so every node keeps its
line), and a search that over-proposes on purpose:
  * every key matching /image/i (scalar, mapping or list under it), at any depth;
  * every mapping holding `repository`/`registry`/`hub` beside `tag`/`digest`/`version`, or
    `repository`/`registry` alone, whatever its key;
  * every scalar that is shaped like `domain.tld/name[:tag]`, `name/name:tag` or holds `sha256:`;
  * env entries whose name holds IMAGE, `--*image*=` arguments;
  * block scalars that hold YAML (a manifest in a ConfigMap, `manifests: |`): parsed as documents,
    their lines mapped to the outer file; if they do not parse, their `image:` lines by regex.

Usage: find_candidates.py ROOT > candidates.jsonl   (one JSON object per candidate)
"""
import json
import os
import re
import sys

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

IMAGE_KEY = re.compile(r"image", re.I)
SPLIT_REPO_KEYS = ("repository", "registry", "hub", "repo")
SPLIT_PART_KEYS = ("repository", "registry", "hub", "repo", "name", "image", "tag",
                   "digest", "version", "sha", "imageTag", "namespace")
DOMAIN_REF = re.compile(
    r"^(?:[a-z0-9]+(?:[.-][a-z0-9]+)*(?:\.[a-z]{2,}|:[0-9]+)|localhost(?::[0-9]+)?)/"
    r"[a-z0-9._/-]+(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$")
NAME_TAG_REF = re.compile(
    r"^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*"
    r":[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(?:@sha256:[0-9a-f]{64})?$")
IMAGE_ARG = re.compile(r"--[A-Za-z0-9-]*image[A-Za-z0-9-]*=(\S+)", re.I)
IMAGE_LINE = re.compile(r"^(\s*)(?:-\s+)?([A-Za-z0-9_]*[Ii]mage):\s*['\"]?([^'\"#\s][^'\"#]*?)['\"]?\s*(?:#.*)?$")


def is_chart_template(rel, root):
    """A file below a `templates/` directory that sits beside a Chart.yaml (Go template text)."""
    parts = rel.split("/")
    for i, part in enumerate(parts[:-1]):
        if part == "templates":
            chart_dir = os.path.join(root, *parts[:i])
            if os.path.exists(os.path.join(chart_dir, "Chart.yaml")):
                return True
    return False


def yaml_files(root):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for f in sorted(filenames):
            if not f.endswith((".yaml", ".yml")):
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), root).replace(os.sep, "/")
            if is_chart_template(rel, root):
                continue
            yield rel


def scalar(node):
    return node.value if isinstance(node, yaml.ScalarNode) else None


def mapping_dict(node):
    """key -> (key node, value node) of a mapping node, first occurrence of each key."""
    out = {}
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value not in out:
            out[k.value] = (k, v)
    return out


def compose_split(d):
    """The reference a reader composes from a split mapping (registry/repository:tag@digest)."""
    def get(*names):
        for n in names:
            if n in d and isinstance(d[n][1], yaml.ScalarNode) and d[n][1].value not in ("", None):
                return d[n][1].value
        return ""
    registry = get("registry", "hub")
    repo = get("repository", "repo", "name", "image")
    tag = get("tag", "imageTag", "version")
    digest = get("digest", "sha")
    ref = repo
    if registry and repo:
        ref = registry.rstrip("/") + "/" + repo
    elif registry:
        ref = registry
    if tag:
        ref += ":" + tag
    if digest:
        ref += ("@" if not digest.startswith("@") else "") + digest
    return ref


def mapping_facts(d, key, ancestors):
    """What the review needs to know about a mapping that may be a split image."""
    def val(k):
        return scalar(d[k][1]) if k in d else None
    parts = [k for k in ("registry", "repository", "repo", "name", "image", "tag", "digest",
                         "sha", "hub") if k in d]
    return {
        "key": key,
        "ancestors": list(ancestors[:-1]) if ancestors and ancestors[-1] == key else list(ancestors),
        "all_empty": bool(parts) and all(val(k) in (None, "") and
                                         isinstance(d[k][1], yaml.ScalarNode) for k in parts),
        "hub_is_mapping": "hub" in d and not isinstance(d["hub"][1], yaml.ScalarNode),
        "repo_nonempty": bool(val("repository")),
    }


class Finder:
    def __init__(self, rel, out):
        self.rel = rel
        self.out = out
        self.seen = set()  # ids of nodes walked (an alias is walked once, at its anchor)
        self.keep_alive = []  # embedded documents, so that their node ids stay unique

    def emit(self, rule, line, key_path, reference, **extra):
        c = {"path": self.rel, "line": line, "rule": rule, "keyPath": key_path,
             "reference": reference}
        c.update(extra)
        self.out.append(c)

    def walk(self, node, path, offset, parent_key_line, parent_key="", ancestors=()):
        if id(node) in self.seen:
            return
        self.seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            self.walk_mapping(node, path, offset, parent_key_line, parent_key, ancestors)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self.walk(item, f"{path}[{i}]", offset, item.start_mark.line + 1 + offset,
                          parent_key, ancestors)
        elif isinstance(node, yaml.ScalarNode):
            self.walk_scalar(node, path, offset)

    def walk_mapping(self, node, path, offset, parent_key_line, parent_key, ancestors):
        d = mapping_dict(node)
        keys = set(d)
        # Any split-shaped mapping, whatever its key.
        if keys & set(SPLIT_REPO_KEYS) or ("image" in keys and keys & {"tag", "imageTag", "digest"}
                                            and isinstance(d["image"][1], yaml.ScalarNode)):
            self.emit("split-shape", parent_key_line, path, compose_split(d),
                      keys=sorted(k for k in keys if k in SPLIT_PART_KEYS),
                      **mapping_facts(d, parent_key, ancestors))
        # env entries naming an image.
        if "name" in d and "value" in d and isinstance(d["value"][1], yaml.ScalarNode):
            name = scalar(d["name"][1]) or ""
            if "IMAGE" in name.upper():
                v = d["value"][1]
                self.emit("env", v.start_mark.line + 1 + offset, f"{path}.value", v.value, env=name)
        for k, v in node.value:
            key = scalar(k)
            if key is None:
                continue
            kp = f"{path}.{key}" if path else key
            kline = k.start_mark.line + 1 + offset
            if id(v) in self.seen:
                continue  # an alias: its image, if any, is counted once, at the anchor
            if IMAGE_KEY.search(key):
                if isinstance(v, yaml.ScalarNode):
                    sib = {s: scalar(d[s][1]) for s in ("imageTag", "tag", "hub", "registry",
                                                        "imageRegistry", "imageNamespace",
                                                        "version")
                           if s in d and s != key}
                    self.emit("image-key-scalar", v.start_mark.line + 1 + offset, kp, v.value,
                              siblings=sib, key=key, parent=parent_key,
                              ancestors=list(ancestors))
                elif isinstance(v, yaml.MappingNode):
                    vd = mapping_dict(v)
                    self.emit("image-key-mapping", kline, kp, compose_split(vd),
                              keys=sorted(vd), **mapping_facts(vd, key, ancestors))
                elif isinstance(v, yaml.SequenceNode):
                    for i, item in enumerate(v.value):
                        iline = item.start_mark.line + 1 + offset
                        if isinstance(item, yaml.ScalarNode):
                            self.emit("image-key-list-scalar", iline, f"{kp}[{i}]", item.value)
                        elif isinstance(item, yaml.MappingNode):
                            idd = mapping_dict(item)
                            self.emit("image-key-list-mapping", iline, f"{kp}[{i}]",
                                      json.dumps({x: scalar(idd[x][1]) for x in idd}),
                                      keys=sorted(idd))
            self.walk(v, kp, offset, kline, key, ancestors + (key,))

    def walk_scalar(self, node, path, offset):
        value = node.value
        line = node.start_mark.line + 1 + offset
        if "\n" in value.strip():
            self.walk_block(node, path, offset)
            return
        v = value.strip()
        if "sha256:" in v:
            self.emit("sha256", line, path, v)
        elif DOMAIN_REF.match(v) or NAME_TAG_REF.match(v):
            self.emit("ref-shaped", line, path, v)
        for m in IMAGE_ARG.finditer(v):
            self.emit("image-arg", line, path, m.group(1), arg=v)

    def walk_block(self, node, path, offset):
        value = node.value
        # The 1-based outer line of the value's first line: a block scalar's content starts on
        # the line after its indicator. (Folded and multi-line plain scalars join lines, so
        # their later lines are approximate; none of the corpus's embedded manifests is one.)
        first = node.start_mark.line + offset + (2 if node.style in ("|", ">") else 1)
        for m in IMAGE_ARG.finditer(value):
            self.emit("image-arg", first + value.count("\n", 0, m.start()), path, m.group(1),
                      arg=m.group(0), block=True)
        if not re.search(r"^\s*(-\s+)?[A-Za-z0-9_]*[Ii]mage:|repository:", value, re.M):
            return
        try:
            docs = list(yaml.compose_all(value, Loader=Loader))
        except Exception:
            docs = None
        if docs and any(isinstance(d, (yaml.MappingNode, yaml.SequenceNode)) for d in docs):
            before = len(self.out)
            for i, d in enumerate(docs):
                if d is not None:
                    self.walk(d, f"{path}|doc{i}", first - 1, d.start_mark.line + first)
            self.keep_alive.append(docs)
            for c in self.out[before:]:
                c["embedded"] = True
            return
        for i, ln in enumerate(value.split("\n")):
            m = IMAGE_LINE.match(ln)
            if m:
                self.emit("embedded-text-image-line", first + i, path, m.group(3).strip(),
                          embedded=True)


def main():
    root = sys.argv[1]
    out = []
    errors = []
    for rel in yaml_files(root):
        with open(os.path.join(root, rel), "rb") as f:
            data = f.read()
        finder = Finder(rel, out)
        try:
            for i, doc in enumerate(yaml.compose_all(data, Loader=Loader)):
                if doc is not None:
                    # Aliases never cross documents; and a freed document's node ids are reused.
                    finder.seen = set()
                    finder.walk(doc, f"doc{i}", 0, doc.start_mark.line + 1)
        except yaml.YAMLError as e:
            errors.append((rel, str(e).splitlines()[0]))
            # What a reader sees in a file PyYAML cannot load: its image: lines.
            for i, ln in enumerate(data.decode("utf-8", "replace").split("\n")):
                m = IMAGE_LINE.match(ln.rstrip("\r"))
                if m:
                    finder.emit("unloadable-image-line", i + 1, "", m.group(3).strip())
    for c in out:
        print(json.dumps(c, sort_keys=True))
    for rel, e in errors:
        print(f"not loadable: {rel}: {e}", file=sys.stderr)


if __name__ == "__main__":
    main()
