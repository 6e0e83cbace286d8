//! The schema as clients see it: the committed `schema.graphql` is what the code builds, and every
//! type, field, argument, input field and enum value Ferrite exposes exists in Nexar's public
//! schema with the same name and a compatible type (`../shared/reference`, when present).

use std::{
    collections::{BTreeMap, BTreeSet},
    path::PathBuf,
};

use async_graphql::Value as ConstValue;
use async_graphql_parser::{
    parse_schema,
    types::{BaseType, InputValueDefinition, ServiceDocument, Type, TypeKind, TypeSystemDefinition},
};

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// CI runs this test, so a change to the schema that is not committed fails the build.
#[test]
fn the_committed_schema_is_what_the_code_builds() {
    let path = repo_root().join("schema.graphql");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let built = ferrite_graphql::sdl();
    if committed != built {
        let line = committed
            .lines()
            .zip(built.lines())
            .position(|(a, b)| a != b)
            .map_or_else(|| committed.lines().count().min(built.lines().count()) + 1, |i| i + 1);
        panic!(
            "{} differs from the schema the code builds (first at line {line}); if the change is \
             meant, run `cargo run -p ferrite -- export-schema > schema.graphql` and commit it",
            path.display()
        );
    }
}

/// Mismatches that are deliberate, each with its reason. An entry that no longer matches a
/// mismatch fails the test too, so the list never outlives its reasons.
const ALLOWED: &[(&str, &str)] = &[
    // The search and match root fields answer null (with an error) rather than failing the
    // whole request: issue 6 requires that a root field refused for a missing scope leaves the
    // other root fields of the request answered, which a non-null root field cannot do (its
    // null would propagate to `data`). `crates/ferrite/tests/graphql_api.rs` (a_missing_scope_refuses_that_root_field_only)
    // relies on it. On success they are never null, as in Nexar.
    ("Query.supSearch", "nullable where Nexar is non-null, so a refusal leaves the other root fields answered"),
    ("Query.supSearchMpn", "nullable where Nexar is non-null, so a refusal leaves the other root fields answered"),
    ("Query.supMultiMatch", "nullable where Nexar is non-null, so a refusal leaves the other root fields answered"),
    ("Query.supParts", "nullable where Nexar is non-null, so a refusal leaves the other root fields answered"),
    ("Query.supCategories", "nullable where Nexar is non-null, so a refusal leaves the other root fields answered"),
    ("Query.supManufacturers", "nullable where Nexar is non-null, so a refusal leaves the other root fields answered"),
    ("Query.supSellers", "nullable where Nexar is non-null, so a refusal leaves the other root fields answered"),
    ("Query.supAttributes", "nullable where Nexar is non-null, so a refusal leaves the other root fields answered"),
    ("Query.admOrganizations", "nullable where Nexar is non-null, so a refusal leaves the other root fields answered"),
    ("Query.supPartOffers", "nullable where Nexar is non-null, so a refusal leaves the other root fields answered"),
    ("Query.supOctocart", "nullable where Nexar is non-null, so a refusal leaves the other root fields answered"),
    (
        "Query.supPartExtrasByPartIds",
        "nullable where Nexar is non-null, so a refusal leaves the other root fields answered",
    ),
    (
        "Query.supPartIdsFromCiivaIds",
        "nullable where Nexar is non-null, so a refusal leaves the other root fields answered",
    ),
    (
        "Query.supCiivaIdsFromPartIds",
        "nullable where Nexar is non-null, so a refusal leaves the other root fields answered",
    ),
];

/// One definition of a schema, reduced to what compatibility is about.
#[derive(Debug, Clone)]
enum Def {
    Scalar,
    /// Objects and interfaces: field → (arguments, type).
    Object(BTreeMap<String, (BTreeMap<String, Input>, Type)>),
    /// Input objects: field → input.
    Input(BTreeMap<String, Input>),
    Enum(BTreeSet<String>),
    /// Unions: their members.
    Union(BTreeSet<String>),
}

#[derive(Debug, Clone)]
struct Input {
    ty: Type,
    default: Option<ConstValue>,
}

impl Def {
    fn kind(&self) -> &'static str {
        match self {
            Def::Scalar => "scalar",
            Def::Object(_) => "object",
            Def::Input(_) => "input object",
            Def::Enum(_) => "enum",
            Def::Union(_) => "union",
        }
    }
}

fn inputs(values: &[async_graphql_parser::Positioned<InputValueDefinition>]) -> BTreeMap<String, Input> {
    values
        .iter()
        .map(|v| {
            let v = &v.node;
            (
                v.name.node.to_string(),
                Input { ty: v.ty.node.clone(), default: v.default_value.as_ref().map(|d| d.node.clone()) },
            )
        })
        .collect()
}

/// Every named type of a schema document (built-in scalars are implicit).
fn definitions(document: &ServiceDocument) -> BTreeMap<String, Def> {
    let mut defs = BTreeMap::new();
    for definition in &document.definitions {
        let TypeSystemDefinition::Type(ty) = definition else { continue };
        let ty = &ty.node;
        let fields = |fields: &[async_graphql_parser::Positioned<async_graphql_parser::types::FieldDefinition>]| {
            fields
                .iter()
                .map(|f| (f.node.name.node.to_string(), (inputs(&f.node.arguments), f.node.ty.node.clone())))
                .collect()
        };
        let def = match &ty.kind {
            TypeKind::Scalar => Def::Scalar,
            TypeKind::Object(object) => Def::Object(fields(&object.fields)),
            TypeKind::Interface(interface) => Def::Object(fields(&interface.fields)),
            TypeKind::InputObject(input) => Def::Input(inputs(&input.fields)),
            TypeKind::Enum(e) => Def::Enum(e.values.iter().map(|v| v.node.value.node.to_string()).collect()),
            TypeKind::Union(union) => Def::Union(union.members.iter().map(|m| m.node.to_string()).collect()),
        };
        // `extend type` adds fields to the type it extends.
        match (defs.get_mut(ty.name.node.as_str()), def) {
            (Some(Def::Object(known)), Def::Object(more)) => known.extend(more),
            (Some(Def::Input(known)), Def::Input(more)) => known.extend(more),
            (_, def) => {
                defs.insert(ty.name.node.to_string(), def);
            }
        }
    }
    defs
}

const BUILT_IN_SCALARS: [&str; 5] = ["String", "Int", "Float", "Boolean", "ID"];

/// Whether `ours` may stand where the reference declares `theirs` in an answer: the same named
/// type at every level, and non-null wherever the reference is non-null (null where the reference
/// promises a value would break clients; a value where it allows null breaks nobody).
fn output_compatible(ours: &Type, theirs: &Type) -> bool {
    if ours.nullable && !theirs.nullable {
        return false;
    }
    match (&ours.base, &theirs.base) {
        (BaseType::Named(a), BaseType::Named(b)) => a == b,
        (BaseType::List(a), BaseType::List(b)) => output_compatible(a, b),
        _ => false,
    }
}

/// Whether `ours` may stand where the reference declares `theirs` as an argument or input field:
/// the same named type at every level, and non-null only where the reference is non-null too (a
/// value Nexar lets clients leave out must not be required here).
fn input_compatible(ours: &Type, theirs: &Type) -> bool {
    if !ours.nullable && theirs.nullable {
        return false;
    }
    match (&ours.base, &theirs.base) {
        (BaseType::Named(a), BaseType::Named(b)) => a == b,
        (BaseType::List(a), BaseType::List(b)) => input_compatible(a, b),
        _ => false,
    }
}

/// Required: non-null without a default, so every client must send it.
fn required(input: &Input) -> bool {
    !input.ty.nullable && input.default.is_none()
}

fn default_text(default: &Option<ConstValue>) -> String {
    default.as_ref().map_or_else(|| "no default".to_owned(), |d| format!("default {d}"))
}

/// Compares the arguments of one field, or the fields of one input object.
fn compare_inputs(
    path: &str,
    ours: &BTreeMap<String, Input>,
    theirs: &BTreeMap<String, Input>,
    out: &mut Vec<(String, String)>,
) {
    for (name, input) in ours {
        let at = format!("{path}.{name}");
        let Some(reference) = theirs.get(name) else {
            out.push((at, "not in the reference".into()));
            continue;
        };
        if !input_compatible(&input.ty, &reference.ty) {
            out.push((at.clone(), format!("type {} where the reference has {}", input.ty, reference.ty)));
        }
        if input.default != reference.default {
            out.push((
                at,
                format!(
                    "{} where the reference has {}",
                    default_text(&input.default),
                    default_text(&reference.default)
                ),
            ));
        }
    }
    // A client written for Nexar sends every required input; one Ferrite does not know is refused.
    for (name, reference) in theirs {
        if required(reference) && !ours.contains_key(name) {
            out.push((
                format!("{path}.{name}"),
                format!("required by the reference ({}) but not accepted", reference.ty),
            ));
        }
    }
}

/// Every difference between Ferrite's schema and the reference that could break a Nexar client,
/// as (path, what).
fn mismatches(ours: &BTreeMap<String, Def>, theirs: &BTreeMap<String, Def>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, def) in ours {
        let Some(reference) = theirs.get(name) else {
            if !(matches!(def, Def::Scalar) && BUILT_IN_SCALARS.contains(&name.as_str())) {
                out.push((name.clone(), format!("{} not in the reference", def.kind())));
            }
            continue;
        };
        match (def, reference) {
            (Def::Scalar, Def::Scalar) => {}
            (Def::Union(members), Def::Union(reference_members)) => {
                for member in members.difference(reference_members) {
                    out.push((format!("{name}.{member}"), "union member not in the reference".into()));
                }
            }
            (Def::Object(fields), Def::Object(reference_fields)) => {
                for (field, (arguments, ty)) in fields {
                    let at = format!("{name}.{field}");
                    let Some((reference_arguments, reference_ty)) = reference_fields.get(field) else {
                        out.push((at, "field not in the reference".into()));
                        continue;
                    };
                    if !output_compatible(ty, reference_ty) {
                        out.push((at.clone(), format!("type {ty} where the reference has {reference_ty}")));
                    }
                    compare_inputs(&format!("{at}()"), arguments, reference_arguments, &mut out);
                }
            }
            (Def::Input(fields), Def::Input(reference_fields)) => {
                compare_inputs(name, fields, reference_fields, &mut out)
            }
            (Def::Enum(values), Def::Enum(reference_values)) => {
                for value in values.difference(reference_values) {
                    out.push((format!("{name}.{value}"), "enum value not in the reference".into()));
                }
            }
            (def, reference) => {
                out.push((name.clone(), format!("{} where the reference has {}", def.kind(), reference.kind())));
            }
        }
    }
    out
}

fn reference_schema() -> Option<String> {
    let path = repo_root().join("../shared/reference/nexar-schema-2025-01.graphql");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(err) => {
            eprintln!("skipped: the reference schema {} cannot be read ({err})", path.display());
            None
        }
    }
}

#[test]
fn every_type_field_and_argument_exists_in_nexars_schema_with_a_compatible_type() {
    let Some(reference) = reference_schema() else { return };
    let ours = definitions(&parse_schema(ferrite_graphql::sdl()).expect("Ferrite's SDL parses"));
    let theirs = definitions(&parse_schema(reference).expect("the reference schema parses"));
    assert!(ours.contains_key("SupPart") && theirs.contains_key("SupPart"), "both schemas were read");

    let found = mismatches(&ours, &theirs);
    let unexpected: Vec<String> = found
        .iter()
        .filter(|(path, _)| !ALLOWED.iter().any(|(allowed, _)| allowed == path))
        .map(|(path, what)| format!("  {path}: {what}"))
        .collect();
    let stale: Vec<&str> =
        ALLOWED.iter().map(|(path, _)| *path).filter(|path| !found.iter().any(|(p, _)| p == path)).collect();
    assert!(
        unexpected.is_empty() && stale.is_empty(),
        "Ferrite's schema differs from Nexar's ({} mismatches):\n{}\nallow-list entries that match nothing: {stale:?}",
        unexpected.len(),
        unexpected.join("\n")
    );
}

#[test]
fn the_comparison_catches_what_breaks_clients() {
    let schema = |text: &str| definitions(&parse_schema(text).unwrap());
    let theirs = schema(
        "type Query { a(x: Int! = 3, y: String, z: Int!): [String]! b: String }
         input I { f: Int! = 0 g: String }
         enum E { one two }",
    );
    let ours = schema(
        "type Query { a(x: Int! = 4, y: String!): [String] b: String! c: Int }
         input I { f: Int, g: Int }
         enum E { one three }
         type Extra { id: ID! }",
    );
    let found: BTreeSet<String> = mismatches(&ours, &theirs).into_iter().map(|(path, _)| path).collect();
    let expected: BTreeSet<String> = [
        "Query.a",     // nullable list where the reference is non-null
        "Query.a().x", // default 4, not 3
        "Query.a().y", // required here, optional there
        "Query.a().z", // required there, unknown here
        "Query.c",     // not in the reference
        "I.f",         // default missing
        "I.g",         // Int is not String
        "E.three",     // unknown enum value
        "Extra",       // unknown type
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(found, expected, "`Query.b` (non-null where nullable) is compatible");
}

// ---- the supply side: nothing of Nexar's may be missing ----

/// The supply side of Nexar's schema (the `sup*` root fields and every type they reach, names,
/// types, arguments and defaults, no descriptions), generated from the reference by
/// `FERRITE_WRITE_SUPPLY_MANIFEST=1 cargo test -p ferrite-graphql --test schema`, so that the
/// check below runs where the reference is not present (CI).
const SUPPLY_MANIFEST: &str = "tests/nexar-supply.graphql";

fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(inner) => named(inner),
    }
}

/// The `sup*` root fields of `defs` and every type they reach.
fn supply_side(defs: &BTreeMap<String, Def>) -> BTreeMap<String, Def> {
    let Some(Def::Object(query)) = defs.get("Query") else { panic!("the schema has no Query") };
    let roots: BTreeMap<String, (BTreeMap<String, Input>, Type)> =
        query.iter().filter(|(name, _)| name.starts_with("sup")).map(|(n, f)| (n.clone(), f.clone())).collect();
    let mut reached: BTreeSet<String> = BTreeSet::new();
    let mut next: Vec<String> = Vec::new();
    let mut reach = |ty: &str, next: &mut Vec<String>| {
        if !BUILT_IN_SCALARS.contains(&ty) && reached.insert(ty.to_owned()) {
            next.push(ty.to_owned());
        }
    };
    for (arguments, ty) in roots.values() {
        reach(named(ty), &mut next);
        arguments.values().for_each(|input| reach(named(&input.ty), &mut next));
    }
    while let Some(name) = next.pop() {
        match defs.get(&name) {
            Some(Def::Object(fields)) => {
                for (arguments, ty) in fields.values() {
                    reach(named(ty), &mut next);
                    arguments.values().for_each(|input| reach(named(&input.ty), &mut next));
                }
            }
            Some(Def::Input(fields)) => fields.values().for_each(|input| reach(named(&input.ty), &mut next)),
            Some(Def::Union(members)) => members.iter().for_each(|m| reach(m, &mut next)),
            _ => {}
        }
    }
    let mut side: BTreeMap<String, Def> =
        reached.into_iter().filter_map(|name| Some((name.clone(), defs.get(&name)?.clone()))).collect();
    side.insert("Query".into(), Def::Object(roots));
    side
}

/// The supply side as SDL, in a stable order.
fn manifest(side: &BTreeMap<String, Def>) -> String {
    fn inputs(inputs: &BTreeMap<String, Input>, separator: &str) -> String {
        let one = |(name, input): (&String, &Input)| match &input.default {
            Some(default) => format!("{name}: {} = {default}", input.ty),
            None => format!("{name}: {}", input.ty),
        };
        inputs.iter().map(one).collect::<Vec<_>>().join(separator)
    }
    let mut out = String::from(
        "# The supply side of Nexar's schema (reference 2025-01): the sup* root fields and every type\n\
         # they reach. Generated by crates/ferrite-graphql/tests/schema.rs; do not edit.\n",
    );
    for (name, def) in side {
        out.push('\n');
        match def {
            Def::Scalar => out.push_str(&format!("scalar {name}\n")),
            Def::Object(fields) => {
                out.push_str(&format!("type {name} {{\n"));
                for (field, (arguments, ty)) in fields {
                    if arguments.is_empty() {
                        out.push_str(&format!("  {field}: {ty}\n"));
                    } else {
                        out.push_str(&format!("  {field}({}): {ty}\n", inputs(arguments, ", ")));
                    }
                }
                out.push_str("}\n");
            }
            Def::Input(fields) => {
                out.push_str(&format!("input {name} {{\n  {}\n}}\n", inputs(fields, "\n  ")));
            }
            Def::Enum(values) => {
                let values: Vec<&str> = values.iter().map(String::as_str).collect();
                out.push_str(&format!("enum {name} {{\n  {}\n}}\n", values.join("\n  ")));
            }
            Def::Union(members) => {
                let members: Vec<&str> = members.iter().map(String::as_str).collect();
                out.push_str(&format!("union {name} = {}\n", members.join(" | ")));
            }
        }
    }
    out
}

/// What of `theirs` (the supply side) `ours` lacks: whole types, fields, arguments, input fields,
/// enum values and union members, as paths (`Type`, `Type.field`, `Type.field().argument`).
fn omissions(ours: &BTreeMap<String, Def>, theirs: &BTreeMap<String, Def>) -> Vec<String> {
    let mut out = Vec::new();
    for (name, reference) in theirs {
        let Some(def) = ours.get(name) else {
            out.push(name.clone());
            continue;
        };
        let missing = |ours: &BTreeSet<&String>, theirs: Vec<&String>, at: &dyn Fn(&str) -> String| {
            theirs.into_iter().filter(|n| !ours.contains(n)).map(|n| at(n)).collect::<Vec<_>>()
        };
        match (def, reference) {
            (Def::Object(fields), Def::Object(reference_fields)) => {
                for (field, (reference_arguments, _)) in reference_fields {
                    match fields.get(field) {
                        None => out.push(format!("{name}.{field}")),
                        Some((arguments, _)) => out.extend(missing(
                            &arguments.keys().collect(),
                            reference_arguments.keys().collect(),
                            &|a| format!("{name}.{field}().{a}"),
                        )),
                    }
                }
            }
            (Def::Input(fields), Def::Input(reference_fields)) => {
                out.extend(missing(&fields.keys().collect(), reference_fields.keys().collect(), &|f| {
                    format!("{name}.{f}")
                }))
            }
            (Def::Enum(values), Def::Enum(reference_values)) => {
                out.extend(missing(&values.iter().collect(), reference_values.iter().collect(), &|v| {
                    format!("{name}.{v}")
                }))
            }
            (Def::Union(members), Def::Union(reference_members)) => {
                out.extend(missing(&members.iter().collect(), reference_members.iter().collect(), &|m| {
                    format!("{name}.{m}")
                }))
            }
            // A kind that differs is reported by `mismatches`.
            _ => {}
        }
    }
    out
}

fn committed_manifest() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(SUPPLY_MANIFEST);
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{} cannot be read ({err})", path.display()))
}

/// Runs without the reference: Ferrite's schema against the committed manifest of Nexar's supply
/// side, type by type; an omission or an incompatible type fails, save the nullable root fields
/// of [`ALLOWED`].
#[test]
fn ferrite_has_every_type_field_and_argument_of_nexars_supply_side() {
    let theirs = definitions(&parse_schema(committed_manifest()).expect("the manifest parses"));
    let ours = definitions(&parse_schema(ferrite_graphql::sdl()).expect("Ferrite's SDL parses"));
    assert!(theirs.len() > 50, "the manifest holds the supply side: {} types", theirs.len());

    let omitted = omissions(&ours, &theirs);
    let ours_supply: BTreeMap<String, Def> =
        supply_side(&ours).into_iter().filter(|(n, _)| theirs.contains_key(n)).collect();
    let differing = mismatches(&ours_supply, &theirs);
    let unexpected: Vec<String> = omitted
        .iter()
        .map(|path| format!("  {path}: missing"))
        .chain(
            differing
                .iter()
                .filter(|(path, _)| !ALLOWED.iter().any(|(allowed, _)| allowed == path))
                .map(|(path, what)| format!("  {path}: {what}")),
        )
        .collect();
    assert!(
        unexpected.is_empty(),
        "Ferrite's supply side differs from Nexar's ({} differences):\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
}

/// With the reference present, the committed manifest is its supply side exactly.
#[test]
fn the_supply_manifest_is_the_supply_side_of_the_reference() {
    let Some(reference) = reference_schema() else { return };
    let side = supply_side(&definitions(&parse_schema(reference).expect("the reference schema parses")));
    let generated = manifest(&side);
    if std::env::var_os("FERRITE_WRITE_SUPPLY_MANIFEST").is_some() {
        std::fs::write(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(SUPPLY_MANIFEST), &generated).unwrap();
    }
    assert!(
        committed_manifest() == generated,
        "{SUPPLY_MANIFEST} is not the reference's supply side: regenerate it with \
         `FERRITE_WRITE_SUPPLY_MANIFEST=1 cargo test -p ferrite-graphql --test schema`"
    );
}

#[test]
fn the_omission_check_catches_every_kind_of_omission() {
    let schema = |text: &str| definitions(&parse_schema(text).unwrap());
    let theirs = schema(
        "type Query { supA(x: Int, y: Int): A supB: B }
         type A { f: Int g: E h: U }
         type B { id: ID }
         enum E { one two }
         union U = A | B
         input I { p: Int q: Int }",
    );
    let ours = schema(
        "type Query { supA(x: Int): A }
         type A { f: Int g: E h: U }
         enum E { one }
         union U = A
         input I { p: Int }",
    );
    let found: BTreeSet<String> = omissions(&ours, &theirs).into_iter().collect();
    let expected: BTreeSet<String> =
        ["Query.supA().y", "Query.supB", "B", "E.two", "U.B", "I.q"].into_iter().map(str::to_owned).collect();
    assert_eq!(found, expected);
    let side = supply_side(&theirs);
    assert_eq!(side.keys().map(String::as_str).collect::<Vec<_>>(), ["A", "B", "E", "Query", "U"], "I is not reached");
    let again = definitions(&parse_schema(manifest(&side)).unwrap());
    assert!(omissions(&again, &side).is_empty() && mismatches(&again, &side).is_empty(), "the manifest reads back");
}
