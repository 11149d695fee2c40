#!/usr/bin/env python3
"""Validate a SARIF log against a JSON schema.

Usage: python3 tests/validate_sarif.py SCHEMA FILE.sarif

Prints one line and exits 0 when FILE is valid, 1 otherwise (including when
python3-jsonschema is not installed: the caller's test must fail, not skip).

The validator class follows the schema's own "$schema" keyword. The official
OASIS SARIF 2.1.0 (errata01) schema declares draft-04; older copies and the
SchemaStore copy declare draft-07, which is also the fallback. The SARIF schema
uses no keyword whose meaning changed between draft-04 and draft-07
(no exclusiveMinimum/Maximum), so both give the same verdict.
"""

import json
import sys


def main(argv):
    if len(argv) != 3:
        print("usage: validate_sarif.py SCHEMA FILE.sarif")
        return 1
    schema_path, log_path = argv[1], argv[2]
    try:
        import jsonschema
        from jsonschema import exceptions
    except ImportError:
        print("validate_sarif: python module jsonschema is missing "
              "(Debian: apt-get install -y python3-jsonschema)")
        return 1

    try:
        with open(schema_path, encoding="utf-8") as f:
            schema = json.load(f)
        with open(log_path, encoding="utf-8") as f:
            log = json.load(f)
    except (OSError, ValueError) as e:
        print(f"validate_sarif: {e}")
        return 1

    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    try:
        cls.check_schema(schema)
    except exceptions.SchemaError as e:
        print(f"validate_sarif: {schema_path} is not a valid schema: {e.message}")
        return 1

    # Formats (uri, date-time) are checked where the installed jsonschema can.
    validator = cls(schema, format_checker=jsonschema.FormatChecker())
    error = exceptions.best_match(validator.iter_errors(log))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        print(f"{log_path}: INVALID at {where}: {error.message}")
        return 1
    print(f"{log_path}: valid SARIF ({cls.__name__})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
