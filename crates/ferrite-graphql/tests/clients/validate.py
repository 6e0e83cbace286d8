#!/usr/bin/env python3
"""Validate every client fixture in this directory against a GraphQL schema (SDL).

Usage: python3 validate.py SCHEMA.graphql [FIXTURE.graphql ...]

For each `*.graphql` fixture (all of this directory unless files are named) it
parses the document, validates it with graphql-core's standard rules, and, when
a `<name>.variables.json` sits next to it, coerces those variables against the
operation's variable definitions (so a variable of a type the schema lacks, or a
value that does not fit, is reported too). Prints `OK name` or `FAIL name` with
the errors, then a summary line; exits 1 if any fixture fails.
Needs `pip install graphql-core` (3.2+).
"""
import json
import sys
from pathlib import Path

from graphql import build_schema, parse, validate, GraphQLError
from graphql.execution.values import get_variable_values
from graphql.language import OperationDefinitionNode

HERE = Path(__file__).resolve().parent


def load_schema(path):
    # Nexar's published SDL declares directives (e.g. @cost) that it does not define; don't trip on them.
    return build_schema(Path(path).read_text(encoding="utf-8"), assume_valid_sdl=True)


def check(schema, fixture):
    """Return the list of error strings for one fixture (empty when it validates)."""
    try:
        doc = parse(fixture.read_text(encoding="utf-8"))
    except GraphQLError as e:
        return [f"syntax: {e.message} at {e.locations}"]
    errors = [f"{e.message} (line {e.locations[0].line})" if e.locations else e.message
              for e in validate(schema, doc)]
    # Variables are coerced even when the document fails, so input-type gaps show as well.
    var_file = fixture.with_name(fixture.name[: -len(".graphql")] + ".variables.json")
    if not var_file.exists():
        return errors
    try:
        inputs = json.loads(var_file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        return [f"variables file is not JSON: {e}"]
    ops = [d for d in doc.definitions if isinstance(d, OperationDefinitionNode)]
    for op in ops:
        try:
            coerced = get_variable_values(schema, op.variable_definitions or [], inputs)
        except (GraphQLError, TypeError) as e:
            errors.append(f"variables: {e}")
            continue
        if isinstance(coerced, list):
            errors += [f"variables: {e.message}" for e in coerced]
    return errors


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    schema = load_schema(argv[1])
    fixtures = [Path(a) for a in argv[2:]] or sorted(HERE.glob("*.graphql"))
    failed = 0
    for fixture in fixtures:
        errors = check(schema, fixture)
        if errors:
            failed += 1
            print(f"FAIL {fixture.name}")
            for e in errors:
                print(f"     {e}")
        else:
            print(f"OK   {fixture.name}")
    print(f"{len(fixtures) - failed}/{len(fixtures)} fixtures validate against {argv[1]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
