#!/usr/bin/env python3
"""Recall and precision of `imagepin images` against a ground truth (truth.tsv, see README.md).

Runs `IMAGEPIN images --format json -C CORPUS CORPUS`, as tests/corpus_test.cc does, and matches
its fields to the truth by (path, line): the line of a string's scalar, of a split mapping's
parent key, of a list item's first key. A truth entry with no field on its line is a miss; a
field on no truth line is a false positive. Misses and false positives are grouped by class
(the truth's class; for a false positive, imagepin's form and the key it sat under), with the
first examples of each as path:line, so they can be handed to whoever fixes that class.

Exit status: 0, or 1 when --min-recall / --min-precision / --min-found is not reached (the
ctest entry's floor), 2 when imagepin crashed or printed no JSON.

stdlib only (PyYAML is needed by the candidate finder, not here).
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys


def is_chart_template(rel, root):
    parts = rel.split("/")
    for i, part in enumerate(parts[:-1]):
        if part == "templates" and os.path.exists(os.path.join(root, *parts[:i], "Chart.yaml")):
            return True
    return False


def read_truth(path):
    truth = {}
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        for ln in f:
            row = dict(zip(header, ln.rstrip("\n").split("\t")))
            truth[(row["path"], int(row["line"]))] = row
    return truth


def run_imagepin(binary, corpus):
    r = subprocess.run([binary, "images", "--format", "json", "-C", corpus, corpus],
                       capture_output=True, text=True)
    if r.returncode not in (0, 1):
        print(f"imagepin exited {r.returncode}\n{r.stderr[:2000]}", file=sys.stderr)
        sys.exit(2)
    try:
        fields = json.loads(r.stdout)
    except json.JSONDecodeError:
        print(f"imagepin printed no JSON:\n{r.stdout[:2000]}", file=sys.stderr)
        sys.exit(2)
    return fields, r.stderr


def field_class(f):
    key = re.sub(r"\[\d+\]", "[]", f.get("keyPath", "").split(".")[-1])
    return f"{f.get('form')} under {key}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--imagepin", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--truth", required=True)
    ap.add_argument("--examples", type=int, default=5, help="examples per class")
    ap.add_argument("--min-found", type=int, default=0)
    ap.add_argument("--min-recall", type=float, default=0.0)
    ap.add_argument("--min-precision", type=float, default=0.0)
    ap.add_argument("--json", help="write the full result (every miss and false positive) here")
    a = ap.parse_args()

    truth = read_truth(a.truth)
    fields, stderr = run_imagepin(a.imagepin, a.corpus)
    reported = {}
    ignored = 0
    for f in fields:
        if is_chart_template(f["path"], a.corpus):
            ignored += 1  # the truth, like the finder, leaves chart templates out
            continue
        reported.setdefault((f["path"], f["line"]), f)
    unparsed = {p for p in {k[0] for k in truth} if p in stderr}

    found = [k for k in truth if k in reported]
    misses = [k for k in truth if k not in reported]
    false_pos = [k for k in reported if k not in truth]
    recall = len(found) / len(truth) if truth else 1.0
    precision = len(found) / len(reported) if reported else 1.0

    def by_class(keys, cls):
        groups = collections.defaultdict(list)
        for k in sorted(keys):
            groups[cls(k)].append(k)
        return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))

    def miss_class(k):
        c = truth[k]["class"]
        return f"{c} (file imagepin could not parse)" if k[0] in unparsed else c

    miss_groups = by_class(misses, miss_class)
    fp_groups = by_class(false_pos, lambda k: field_class(reported[k]))

    classes = collections.Counter(r["class"] for r in truth.values())
    found_by = collections.Counter(truth[k]["class"] for k in found)
    print(f"truth: {len(truth)} image references; imagepin: {len(reported)} fields"
          + (f" ({ignored} in chart templates not scored)" if ignored else ""))
    print(f"found {len(found)} of {len(truth)}: recall {100 * recall:.1f}%, "
          f"precision {100 * precision:.1f}% ({len(false_pos)} reported that are not images)")
    print("by class (found/total):")
    for c, n in classes.most_common():
        print(f"  {c:14s} {found_by[c]:4d}/{n:<4d}")
    if miss_groups:
        print(f"misses ({len(misses)}):")
        for c, ks in miss_groups:
            print(f"  {c}: {len(ks)}")
            for k in ks[: a.examples]:
                print(f"    {k[0]}:{k[1]}  {truth[k]['reference']}")
    if fp_groups:
        print(f"false positives ({len(false_pos)}):")
        for c, ks in fp_groups:
            print(f"  {c}: {len(ks)}")
            for k in ks[: a.examples]:
                print(f"    {k[0]}:{k[1]}  {reported[k].get('reference')}")
    if a.json:
        with open(a.json, "w") as out:
            json.dump({"truth": len(truth), "reported": len(reported), "found": len(found),
                       "recall": recall, "precision": precision,
                       "misses": [dict(truth[k]) for k in sorted(misses)],
                       "false_positives": [reported[k] for k in sorted(false_pos)]},
                      out, indent=1)
    ok = True
    if len(found) < a.min_found:
        print(f"FAIL: found {len(found)} < floor {a.min_found}")
        ok = False
    if recall < a.min_recall:
        print(f"FAIL: recall {recall:.4f} < floor {a.min_recall}")
        ok = False
    if precision < a.min_precision:
        print(f"FAIL: precision {precision:.4f} < floor {a.min_precision}")
        ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
