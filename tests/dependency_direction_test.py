#!/usr/bin/env python3
"""Check that src/ includes follow ARCHITECTURE.md's folder table.

Usage: python3 tests/dependency_direction_test.py [SOURCE_DIR]

The table (`| folder | what it is | depends on |`) is the spec: a file in src/<folder>/ may
include "<other>/..." only if <other> is the folder itself or is reachable from it over the
table's `depends on` edges (the transitive closure, so `plan` may use `base` through `scan`).
Nothing about the folders is written here, so a new layer is one new row in the table.

`depends on` is a comma-separated list of folder names, `—` (none) or `everything`. A name that
is not a folder (`policy_core`) is a library inside a folder: it counts as the folder whose row
mentions it in backticks. A folder under src/ without a row fails, so the table cannot fall
behind. Unit tests (*_test.cc, *test_util.h) are not checked: the test binary links every
library. Prints file:line for each violation; exits 1 if there are any.
"""

import pathlib
import re
import sys

ROW = re.compile(r"^\|\s*`src/([^`/]+)/?`\s*\|(.*)\|(.*)\|\s*$")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"/]+)/[^"]*"')
SOURCES = {".cc", ".h"}


def read_table(architecture):
    """Returns {folder: (description, [dependency names])} from the folder table."""
    rows = {}
    for line in architecture.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            folder, description, depends = match.groups()
            names = [name.strip().strip("`") for name in depends.split(",")]
            rows[folder] = (description, [name for name in names if name not in ("", "—", "-")])
    return rows


def allowed_sets(rows):
    """Returns {folder: set of folders it may include}, or raises ValueError on a bad name."""
    def to_folder(name, row):
        if name in rows:
            return name
        owners = [folder for folder, (description, _) in rows.items()
                  if f"`{name}`" in description]
        if len(owners) != 1:
            raise ValueError(f"ARCHITECTURE.md: `src/{row}` depends on '{name}', which is not a "
                             f"folder in the table nor a library named in exactly one row")
        return owners[0]

    edges = {}
    for folder, (_, names) in rows.items():
        if names == ["everything"]:
            edges[folder] = set(rows)
        else:
            edges[folder] = {to_folder(name, folder) for name in names}
    allowed = {}
    for folder in rows:
        seen, stack = {folder}, [folder]
        while stack:
            for dep in edges[stack.pop()]:
                if dep not in seen:
                    seen.add(dep)
                    stack.append(dep)
        allowed[folder] = seen
    return allowed


def main(argv):
    root = pathlib.Path(argv[1] if len(argv) > 1 else pathlib.Path(__file__).parent.parent)
    rows = read_table(root / "ARCHITECTURE.md")
    if not rows:
        print("ARCHITECTURE.md: no `| folder | what it is | depends on |` rows found")
        return 1
    try:
        allowed = allowed_sets(rows)
    except ValueError as error:
        print(error)
        return 1

    violations = []
    folders = sorted(path for path in (root / "src").iterdir() if path.is_dir())
    for folder in folders:
        if folder.name not in rows:
            violations.append(f"src/{folder.name}: no row in ARCHITECTURE.md's folder table")
            continue
        for path in sorted(folder.rglob("*")):
            if path.suffix not in SOURCES or not path.is_file():
                continue
            # The direction is the libraries'. Unit tests beside the code are linked into the
            # one test binary with everything, and may build their inputs with a higher layer
            # (rewrite's tests find spans with scan, as the planners do).
            if path.stem.endswith("_test") or path.stem.endswith("test_util"):
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            for number, line in enumerate(text.splitlines(), start=1):
                match = INCLUDE.match(line)
                # Only folders of the table are checked: "tests/testing/..." and the like are
                # not layers.
                if match and match.group(1) in rows and match.group(1) not in allowed[folder.name]:
                    violations.append(
                        f"{path.relative_to(root)}:{number}: src/{folder.name} includes "
                        f"\"{match.group(1)}/...\", but ARCHITECTURE.md allows only "
                        f"{', '.join(sorted(allowed[folder.name]))}")
    for violation in violations:
        print(violation)
    if violations:
        print(f"{len(violations)} include(s) against ARCHITECTURE.md's dependency direction")
        return 1
    print(f"dependency direction: {len(folders)} folders follow ARCHITECTURE.md")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
