#!/usr/bin/env python3
"""Compare the supply side of two GraphQL schemas (SDL), and what client fixtures need.

Usage:
  python3 schema_diff.py REFERENCE.graphql CANDIDATE.graphql
      Every difference on the supply side: each `sup*` root field of REFERENCE
      (Query, Mutation, Subscription) and every type it reaches through field
      types, arguments, input fields, interfaces and union members. Reports
      what CANDIDATE lacks (root fields, types, fields, arguments, input fields,
      enum values, union members), what differs in type or default, and, apart,
      what CANDIDATE has that REFERENCE does not. Exit 1 when CANDIDATE lacks or
      mismatches anything (so it can serve as a check).

  python3 schema_diff.py --fixtures REFERENCE.graphql CANDIDATE.graphql [FIXTURE.graphql ...]
      What the client fixtures (default: every *.graphql next to this script)
      use that CANDIDATE lacks: each schema coordinate a document selects or
      passes (fields, arguments, input fields in literals and in the
      .variables.json next to it, enum values, variable types), resolved on
      REFERENCE, checked on CANDIDATE, with the fixtures that use it. Exit 1
      when anything is missing.

Add --markdown for Markdown output. Needs graphql-core 3.2+.
"""
import json
import sys
from collections import defaultdict
from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    build_schema,
    get_named_type,
    parse,
    print_ast,
    visit,
)
from graphql.language import ObjectValueNode, OperationDefinitionNode, EnumValueNode, ListValueNode
from graphql.utilities import ast_from_value, type_from_ast

HERE = Path(__file__).resolve().parent
ROOTS = ("query_type", "mutation_type", "subscription_type")


def load(path):
    return build_schema(Path(path).read_text(encoding="utf-8"), assume_valid_sdl=True)


def kind(t):
    for cls, name in ((GraphQLObjectType, "type"), (GraphQLInterfaceType, "interface"),
                      (GraphQLUnionType, "union"), (GraphQLEnumType, "enum"),
                      (GraphQLInputObjectType, "input"), (GraphQLScalarType, "scalar")):
        if isinstance(t, cls):
            return name
    return "?"


def default_repr(arg_or_field):
    value = arg_or_field.default_value
    if value is Undefined:
        return None
    node = ast_from_value(value, arg_or_field.type)
    return print_ast(node) if node else repr(value)


try:
    from graphql.pyutils import Undefined
except ImportError:  # graphql-core < 3.2
    from graphql import INVALID as Undefined


def supply_roots(schema):
    """(root type name, field name, field) for every sup* root field."""
    for attr in ROOTS:
        root = getattr(schema, attr)
        if root is None:
            continue
        for name, field in root.fields.items():
            if name.startswith("sup"):
                yield root.name, name, field


def reached_types(schema):
    """Names of every named type reachable from the sup* root fields, in discovery order."""
    seen, queue = [], []

    def add(t):
        named = get_named_type(t)
        if named.name.startswith("__") or named.name in seen:
            return
        seen.append(named.name)
        queue.append(named)

    for _, _, field in supply_roots(schema):
        add(field.type)
        for arg in field.args.values():
            add(arg.type)
    while queue:
        t = queue.pop(0)
        if isinstance(t, (GraphQLObjectType, GraphQLInterfaceType)):
            for iface in t.interfaces:
                add(iface)
            for field in t.fields.values():
                add(field.type)
                for arg in field.args.values():
                    add(arg.type)
        elif isinstance(t, GraphQLUnionType):
            for member in t.types:
                add(member)
        elif isinstance(t, GraphQLInputObjectType):
            for field in t.fields.values():
                add(field.type)
    return seen


def diff_args(where, ref_args, cand_args, lacks, mismatch, extra):
    for name, arg in ref_args.items():
        other = cand_args.get(name)
        if other is None:
            lacks.append(f"argument `{where}({name}: {arg.type})`")
            continue
        if str(other.type) != str(arg.type):
            mismatch.append(f"argument `{where}({name})`: reference `{arg.type}`, candidate `{other.type}`")
        if default_repr(arg) != default_repr(other):
            mismatch.append(f"argument `{where}({name})` default: reference `{default_repr(arg)}`, "
                            f"candidate `{default_repr(other)}`")
    for name, arg in cand_args.items():
        if name not in ref_args:
            extra.append(f"argument `{where}({name}: {arg.type})`")


def diff_fields(tname, ref_fields, cand_fields, lacks, mismatch, extra, is_input):
    for name, field in ref_fields.items():
        other = cand_fields.get(name)
        label = "input field" if is_input else "field"
        if other is None:
            lacks.append(f"{label} `{tname}.{name}: {field.type}`")
            continue
        if str(other.type) != str(field.type):
            mismatch.append(f"{label} `{tname}.{name}`: reference `{field.type}`, candidate `{other.type}`")
        if is_input:
            if default_repr(field) != default_repr(other):
                mismatch.append(f"input field `{tname}.{name}` default: reference `{default_repr(field)}`, "
                                f"candidate `{default_repr(other)}`")
        else:
            diff_args(f"{tname}.{name}", field.args, other.args, lacks, mismatch, extra)
    for name, field in cand_fields.items():
        if name not in ref_fields:
            extra.append(f"{'input field' if is_input else 'field'} `{tname}.{name}: {field.type}`")


def schema_diff(ref, cand):
    """Return (lacks, mismatch, extra) lists of sentences, grouped by type name."""
    lacks, mismatch, extra = defaultdict(list), defaultdict(list), defaultdict(list)
    for root_name, name, field in supply_roots(ref):
        root = getattr(cand, {"Query": "query_type", "Mutation": "mutation_type",
                              "Subscription": "subscription_type"}.get(root_name, "query_type"))
        other = root.fields.get(name) if root else None
        if other is None:
            lacks[root_name].append(f"root field `{root_name}.{name}: {field.type}`")
            continue
        if str(other.type) != str(field.type):
            mismatch[root_name].append(f"root field `{root_name}.{name}`: reference `{field.type}`, "
                                       f"candidate `{other.type}`")
        diff_args(f"{root_name}.{name}", field.args, other.args,
                  lacks[root_name], mismatch[root_name], extra[root_name])
    for attr in ROOTS:
        root = getattr(cand, attr)
        ref_root = getattr(ref, attr)
        for name, field in (root.fields.items() if root else []):
            if name.startswith("sup") and (ref_root is None or name not in ref_root.fields):
                extra[root.name].append(f"root field `{root.name}.{name}: {field.type}`")
    for tname in reached_types(ref):
        t, other = ref.type_map[tname], cand.type_map.get(tname)
        if other is None:
            members = (list(t.fields) if hasattr(t, "fields") else list(t.values) if hasattr(t, "values")
                       else [m.name for m in t.types] if hasattr(t, "types") else [])
            listed = f": {', '.join(members)}" if members else ""
            lacks[tname].append(f"{kind(t)} `{tname}` (whole type{listed})")
            continue
        if kind(t) != kind(other):
            mismatch[tname].append(f"`{tname}` is a {kind(t)} in the reference, a {kind(other)} in the candidate")
            continue
        if isinstance(t, (GraphQLObjectType, GraphQLInterfaceType)):
            diff_fields(tname, t.fields, other.fields, lacks[tname], mismatch[tname], extra[tname], False)
            missing_ifaces = {i.name for i in t.interfaces} - {i.name for i in other.interfaces}
            for i in sorted(missing_ifaces):
                lacks[tname].append(f"`{tname}` implements `{i}`")
        elif isinstance(t, GraphQLInputObjectType):
            diff_fields(tname, t.fields, other.fields, lacks[tname], mismatch[tname], extra[tname], True)
        elif isinstance(t, GraphQLEnumType):
            for v in t.values:
                if v not in other.values:
                    lacks[tname].append(f"enum value `{tname}.{v}`")
            for v in other.values:
                if v not in t.values:
                    extra[tname].append(f"enum value `{tname}.{v}`")
        elif isinstance(t, GraphQLUnionType):
            for m in {m.name for m in t.types} - {m.name for m in other.types}:
                lacks[tname].append(f"union member `{tname} | {m}`")
    return lacks, mismatch, extra


class UsageCollector(Visitor):
    """Collects the schema coordinates a document uses, resolved with a TypeInfo on the reference."""

    def __init__(self, type_info, uses):
        super().__init__()
        self.ti = type_info
        self.uses = uses  # set of (kind, coordinate, type string)

    def enter_field(self, node, *_):
        parent, field = self.ti.get_parent_type(), self.ti.get_field_def()
        if parent is not None and field is not None and not node.name.value.startswith("__"):
            self.uses.add(("field", f"{parent.name}.{node.name.value}", str(field.type)))

    def enter_argument(self, node, *_):
        arg, field, parent = self.ti.get_argument(), self.ti.get_field_def(), self.ti.get_parent_type()
        if arg is not None and field is not None and parent is not None:
            self.uses.add(("argument", f"{parent.name}.{self.field_name}({node.name.value})", str(arg.type)))

    def enter_object_field(self, node, *_):
        parent = get_named_type(self.ti.get_parent_input_type())
        field_type = self.ti.get_input_type()
        if isinstance(parent, GraphQLInputObjectType) and field_type is not None:
            self.uses.add(("input field", f"{parent.name}.{node.name.value}", str(field_type)))

    def enter_enum_value(self, node, *_):
        t = get_named_type(self.ti.get_input_type())
        if isinstance(t, GraphQLEnumType):
            self.uses.add(("enum value", f"{t.name}.{node.value}", ""))

    def enter_variable_definition(self, node, *_):
        self.uses.add(("variable type", print_ast(node.type), ""))

    @property
    def field_name(self):
        f = self.ti.get_field_def()
        return f.ast_node.name.value if f is not None and f.ast_node else "?"


def value_uses(schema, gtype, value, uses):
    """Input fields and enum values a JSON variable value uses, walking `gtype` on `schema`."""
    named = get_named_type(gtype)
    if value is None:
        return
    if isinstance(value, list):
        for item in value:
            value_uses(schema, gtype, item, uses)
    elif isinstance(named, GraphQLInputObjectType) and isinstance(value, dict):
        for key, item in value.items():
            field = named.fields.get(key)
            uses.add(("input field", f"{named.name}.{key}", str(field.type) if field else "?"))
            if field is not None:
                value_uses(schema, field.type, item, uses)
    elif isinstance(named, GraphQLEnumType) and isinstance(value, str):
        uses.add(("enum value", f"{named.name}.{value}", ""))


def fixture_uses(ref, fixture):
    uses = set()
    doc = parse(fixture.read_text(encoding="utf-8"))
    ti = TypeInfo(ref)
    visit(doc, TypeInfoVisitor(ti, UsageCollector(ti, uses)))
    var_file = fixture.with_name(fixture.name[: -len(".graphql")] + ".variables.json")
    if var_file.exists():
        values = json.loads(var_file.read_text(encoding="utf-8"))
        for op in (d for d in doc.definitions if isinstance(d, OperationDefinitionNode)):
            for vd in op.variable_definitions or []:
                vtype = type_from_ast(ref, vd.type)
                if vtype is not None and vd.variable.name.value in values:
                    value_uses(ref, vtype, values[vd.variable.name.value], uses)
    return uses


def has(cand, use):
    kind_, coord, _ = use
    if kind_ == "variable type":
        return type_from_ast(cand, parse(f"query($v: {coord}) {{ __typename }}").definitions[0]
                             .variable_definitions[0].type) is not None
    tname, _, rest = coord.partition(".")
    t = cand.type_map.get(tname)
    if t is None:
        return False
    if kind_ == "field":
        return rest in getattr(t, "fields", {})
    if kind_ == "argument":
        fname, _, aname = rest.partition("(")
        field = getattr(t, "fields", {}).get(fname)
        return field is not None and aname.rstrip(")") in field.args
    if kind_ == "input field":
        return rest in getattr(t, "fields", {})
    if kind_ == "enum value":
        return rest in getattr(t, "values", {})
    return True


def type_mismatch(cand, use):
    """The candidate's type string when it differs from the reference's, else None."""
    kind_, coord, ref_type = use
    if not ref_type or ref_type == "?" or kind_ in ("variable type", "enum value"):
        return None
    tname, _, rest = coord.partition(".")
    t = cand.type_map.get(tname)
    if kind_ == "argument":
        fname, _, aname = rest.partition("(")
        other = t.fields[fname].args[aname.rstrip(")")]
    else:
        other = t.fields[rest]
    return None if str(other.type) == ref_type else str(other.type)


def print_sections(title_items, markdown):
    for title, items in title_items:
        if not items:
            continue
        print(f"\n## {title}\n" if markdown else f"\n== {title} ==")
        for line in items:
            print(f"- {line}" if markdown else f"  {line}")


def main(argv):
    markdown = "--markdown" in argv
    argv = [a for a in argv if a != "--markdown"]
    fixtures_mode = "--fixtures" in argv
    argv = [a for a in argv if a != "--fixtures"]
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    ref, cand = load(argv[1]), load(argv[2])
    if fixtures_mode:
        fixtures = [Path(a) for a in argv[3:]] or sorted(HERE.glob("*.graphql"))
        users = defaultdict(set)
        for f in fixtures:
            for use in fixture_uses(ref, f):
                users[use].add(f.name[: -len(".graphql")])
        missing, mismatched = [], []
        for use in sorted(users, key=lambda u: (u[0], u[1])):
            who = ", ".join(sorted(users[use]))
            if not has(cand, use):
                missing.append((use, who))
            else:
                other = type_mismatch(cand, use)
                if other is not None:
                    mismatched.append((use, other, who))
        by_kind = defaultdict(list)
        for (kind_, coord, ref_type), who in missing:
            typ = f": {ref_type}" if ref_type else ""
            by_kind[kind_].append(f"`{coord}{typ}` ({who})")
        sections = [(f"Missing {k}s", by_kind[k]) for k in
                    ("variable type", "field", "argument", "input field", "enum value")]
        sections.append(("Type mismatches", [f"{k} `{c}`: reference `{r}`, candidate `{o}` ({w})"
                                             for (k, c, r), o, w in mismatched]))
        print_sections(sections, markdown)
        print(f"\n{len(missing)} missing and {len(mismatched)} mismatched coordinates "
              f"used by {len(fixtures)} fixtures")
        return 1 if missing or mismatched else 0
    lacks, mismatch, extra = schema_diff(ref, cand)
    order = ["Query", "Mutation", "Subscription"] + reached_types(ref)
    flat = lambda d: [line for t in order + sorted(set(d) - set(order)) for line in d.get(t, [])]
    print_sections([("Candidate lacks", flat(lacks)), ("Type or default differs", flat(mismatch)),
                    ("Only in the candidate", flat(extra))], markdown)
    n_l, n_m = len(flat(lacks)), len(flat(mismatch))
    print(f"\n{len(reached_types(ref))} supply types reached from "
          f"{sum(1 for _ in supply_roots(ref))} sup* root fields; candidate lacks {n_l}, differs in {n_m}")
    return 1 if n_l or n_m else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
