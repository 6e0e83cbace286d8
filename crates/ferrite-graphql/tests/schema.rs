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
];

/// One definition of a schema, reduced to what compatibility is about.
#[derive(Debug)]
enum Def {
    Scalar,
    /// Objects and interfaces: field → (arguments, type).
    Object(BTreeMap<String, (BTreeMap<String, Input>, Type)>),
    /// Input objects: field → input.
    Input(BTreeMap<String, Input>),
    Enum(BTreeSet<String>),
    Union,
}

#[derive(Debug)]
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
            Def::Union => "union",
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
            TypeKind::Union(_) => Def::Union,
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
            (Def::Scalar, Def::Scalar) | (Def::Union, Def::Union) => {}
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
