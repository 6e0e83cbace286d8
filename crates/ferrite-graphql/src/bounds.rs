//! Bounds on a request's shape, checked before anything recurses over it.
//!
//! The GraphQL parser (pest), serde, value coercion and validation all recurse once per level of
//! nesting, so a few kilobytes of `[[[[…` would overflow the stack and abort the process. The
//! nesting of the JSON body and of the query text is therefore measured first by a flat scan
//! that recurses over nothing; only what passes is parsed.

use std::collections::HashMap;

use async_graphql::{
    Name, Positioned, Value, Variables,
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

/// How deeply lists, objects, argument lists and selection sets may nest, in the JSON body and
/// in the query text. Real queries stay far below it: selections nest at most
/// [`crate::MAX_DEPTH`] deep, and Nexar's inputs (filters, match queries) two or three.
pub const MAX_NESTING: usize = 64;

/// Most fields one request may select once its fragments are expanded. Validation compares
/// fields pairwise and walks every fragment spread, so this bounds its work too (a fragment that
/// spreads another twice, ten levels down, selects a thousand fields).
pub const MAX_FIELDS: u64 = 2_000;

/// Which lexical rules a scan follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// JSON: strings with `\` escapes, nothing else to skip.
    Json,
    /// GraphQL: strings, block strings (`"""…"""`) and `#` comments.
    GraphQl,
}

/// Where a text nests past its bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooDeep {
    /// The byte offset of the bracket that went past the bound.
    pub offset: usize,
}

/// Checks that brackets (`[`, `{`, `(`) outside strings and comments nest at most `limit` deep.
/// Runs in one flat pass; malformed text (an unclosed string, stray closers) is left for the
/// parser to report.
pub fn check_nesting(text: &[u8], syntax: Syntax, limit: usize) -> Result<(), TooDeep> {
    let mut depth = 0usize;
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'[' | b'{' | b'(' => {
                depth += 1;
                if depth > limit {
                    return Err(TooDeep { offset: i });
                }
            }
            b']' | b'}' | b')' => depth = depth.saturating_sub(1),
            b'#' if syntax == Syntax::GraphQl => i = line_end(text, i),
            b'"' if syntax == Syntax::GraphQl && text[i..].starts_with(b"\"\"\"") => i = block_string_end(text, i),
            b'"' => i = string_end(text, i, syntax),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// The index of the line terminator ending the comment at `start` (or the last byte).
fn line_end(text: &[u8], start: usize) -> usize {
    text[start..].iter().position(|b| matches!(b, b'\n' | b'\r')).map_or(text.len(), |n| start + n)
}

/// The index of the quote closing the string opened at `start`; a GraphQL string also ends at a
/// line break (where the parser will refuse it).
fn string_end(text: &[u8], start: usize, syntax: Syntax) -> usize {
    let mut i = start + 1;
    while i < text.len() {
        match text[i] {
            b'\\' => i += 1,
            b'"' => return i,
            b'\n' | b'\r' if syntax == Syntax::GraphQl => return i,
            _ => {}
        }
        i += 1;
    }
    text.len()
}

/// The index of the last quote of the block string opened at `start` (`\"""` does not close it).
fn block_string_end(text: &[u8], start: usize) -> usize {
    let mut i = start + 3;
    while i < text.len() {
        if text[i..].starts_with(b"\\\"\"\"") {
            i += 4;
        } else if text[i..].starts_with(b"\"\"\"") {
            return i + 2;
        } else {
            i += 1;
        }
    }
    text.len()
}

/// The fields `document` selects with every fragment spread expanded (each fragment counted once
/// per spread, memoized), or `None` past `limit`. Recursion follows selection sets and fragment
/// spreads only: the first is bounded by [`check_nesting`], the second by `limit` and a guard
/// against cycles (which validation refuses).
pub fn expanded_fields(document: &ExecutableDocument, limit: u64) -> Option<u64> {
    let mut memo: HashMap<&Name, Option<u64>> = HashMap::new();
    let mut total = 0u64;
    for (_, operation) in document.operations.iter() {
        total = total.checked_add(fields_of(document, &operation.node.selection_set.node, limit, &mut memo)?)?;
        if total > limit {
            return None;
        }
    }
    Some(total)
}

fn fields_of<'a>(
    document: &'a ExecutableDocument,
    set: &'a SelectionSet,
    limit: u64,
    memo: &mut HashMap<&'a Name, Option<u64>>,
) -> Option<u64> {
    let mut count = 0u64;
    for selection in &set.items {
        let n = match &selection.node {
            Selection::Field(field) => 1 + fields_of(document, &field.node.selection_set.node, limit, memo)?,
            Selection::InlineFragment(inline) => fields_of(document, &inline.node.selection_set.node, limit, memo)?,
            Selection::FragmentSpread(spread) => {
                let name = &spread.node.fragment_name.node;
                match memo.get(name) {
                    Some(known) => (*known)?,
                    None => match document.fragments.get(name) {
                        // Unknown fragments are validation's to report.
                        None => 0,
                        Some(fragment) => {
                            // In progress: a cycle, which validation refuses; count nothing more.
                            memo.insert(name, Some(0));
                            let n = fields_of(document, &fragment.node.selection_set.node, limit, memo);
                            memo.insert(name, n);
                            n?
                        }
                    },
                }
            }
        };
        count = count.checked_add(n)?;
        if count > limit {
            return None;
        }
    }
    Some(count)
}

/// Where a text of the request holds the NUL character (U+0000), which no field of Ferrite
/// means and PostgreSQL cannot store: the argument, variable or default value that holds it.
pub fn find_nul(document: &ExecutableDocument, variables: &Variables) -> Option<String> {
    for (name, value) in variables.iter() {
        if value_has_nul(value) {
            return Some(format!("variable `${name}`"));
        }
    }
    let mut sets = Vec::new();
    for (_, operation) in document.operations.iter() {
        for variable in &operation.node.variable_definitions {
            if variable.node.default_value.as_ref().is_some_and(|v| value_has_nul(&v.node)) {
                return Some(format!("the default value of `${}`", variable.node.name.node));
            }
        }
        if directives_have_nul(&operation.node.directives) {
            return Some("a directive".into());
        }
        sets.push(&operation.node.selection_set);
    }
    sets.extend(document.fragments.values().map(|f| &f.node.selection_set));
    // Selection sets nest at most MAX_NESTING deep, but a worklist costs nothing either.
    while let Some(set) = sets.pop() {
        for selection in &set.node.items {
            match &selection.node {
                Selection::Field(field) => {
                    for (name, value) in &field.node.arguments {
                        if input_has_nul(&value.node) {
                            return Some(format!("argument `{}` of `{}`", name.node, field.node.name.node));
                        }
                    }
                    if directives_have_nul(&field.node.directives) {
                        return Some(format!("a directive of `{}`", field.node.name.node));
                    }
                    sets.push(&field.node.selection_set);
                }
                Selection::InlineFragment(inline) => {
                    if directives_have_nul(&inline.node.directives) {
                        return Some("a directive".into());
                    }
                    sets.push(&inline.node.selection_set);
                }
                Selection::FragmentSpread(spread) => {
                    if directives_have_nul(&spread.node.directives) {
                        return Some("a directive".into());
                    }
                }
            }
        }
    }
    None
}

fn directives_have_nul(directives: &[Positioned<async_graphql::parser::types::Directive>]) -> bool {
    directives.iter().any(|d| d.node.arguments.iter().any(|(_, v)| input_has_nul(&v.node)))
}

fn value_has_nul(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains('\0'),
        Value::List(items) => items.iter().any(value_has_nul),
        Value::Object(fields) => fields.iter().any(|(k, v)| k.contains('\0') || value_has_nul(v)),
        _ => false,
    }
}

fn input_has_nul(value: &async_graphql_value::Value) -> bool {
    use async_graphql_value::Value as Input;
    match value {
        Input::String(text) => text.contains('\0'),
        Input::List(items) => items.iter().any(input_has_nul),
        Input::Object(fields) => fields.values().any(input_has_nul),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(depth: usize) -> String {
        format!("{{ supParts(ids: {}\"1\"{}) {{ id }} }}", "[".repeat(depth), "]".repeat(depth))
    }

    #[test]
    fn brackets_are_counted_outside_strings_and_comments() {
        let g = |text: &str, limit| check_nesting(text.as_bytes(), Syntax::GraphQl, limit);
        assert_eq!(g("{ a { b } }", 2), Ok(()));
        assert_eq!(g("{ a { b } }", 1), Err(TooDeep { offset: 4 }));
        assert_eq!(g(r#"{ a(q: "[[[[\"[[[") }"#, 2), Ok(()));
        assert_eq!(g("{ a(q: \"\"\"[[[\\\"\"\"[[[\"\"\") }", 2), Ok(()));
        assert_eq!(g("{ a # [[[[[\n }", 1), Ok(()));
        assert_eq!(g("{ a # [[[[[\r[[ }", 1), Err(TooDeep { offset: 12 }));
        // A string ends at a line break in GraphQL; what follows is counted.
        assert_eq!(g("{ a(q: \"x\n[[[ ", 2), Err(TooDeep { offset: 10 }));
        assert!(g(&nested(62), MAX_NESTING).is_ok());
        assert!(g(&nested(63), MAX_NESTING).is_err());
        assert!(g(&nested(20_000), MAX_NESTING).is_err());
    }

    #[test]
    fn json_strings_are_skipped_with_their_escapes() {
        let j = |text: &str, limit| check_nesting(text.as_bytes(), Syntax::Json, limit);
        assert_eq!(j(r#"{"query": "{{{{{{", "v": "\"[[[["}"#, 1), Ok(()));
        assert_eq!(j(r#"{"a": [[1]]}"#, 2), Err(TooDeep { offset: 7 }));
        // `#` and `"""` mean nothing in JSON.
        assert_eq!(j(r##"{"a": "#", "b": [[1]]}"##, 2), Err(TooDeep { offset: 17 }));
    }

    #[test]
    fn fragments_are_expanded_once_per_spread() {
        let mut query = String::from("{ ...F0 }");
        for i in 0..20 {
            query.push_str(&format!(" fragment F{i} on Query {{ ...F{} ...F{} }}", i + 1, i + 1));
        }
        query.push_str(" fragment F20 on Query { supAttributes { name } }");
        let document = async_graphql::parser::parse_query(&query).unwrap();
        assert_eq!(expanded_fields(&document, MAX_FIELDS), None, "2^20 × 2 fields");
        let small = async_graphql::parser::parse_query("{ a { b c } ...F } fragment F on Query { d }").unwrap();
        assert_eq!(expanded_fields(&small, MAX_FIELDS), Some(4));
        let cycle = async_graphql::parser::parse_query("{ ...F } fragment F on Query { a ...F }").unwrap();
        assert_eq!(expanded_fields(&cycle, MAX_FIELDS), Some(1));
    }

    #[test]
    fn nul_is_found_in_arguments_defaults_directives_and_variables() {
        let find = |query: &str, variables: serde_json::Value| {
            let document = async_graphql::parser::parse_query(query).unwrap();
            find_nul(&document, &Variables::from_json(variables))
        };
        assert_eq!(
            find(r#"{ supSearch(q: "a\u0000b") { hits } }"#, serde_json::json!({})).unwrap(),
            "argument `q` of `supSearch`"
        );
        assert!(find(r#"{ a(f: {x: ["\u0000"]}) }"#, serde_json::json!({})).is_some());
        assert!(find(r#"query($q: String = "\u0000") { a(q: $q) }"#, serde_json::json!({})).is_some());
        assert!(find(r#"{ a @include(if: "\u0000") }"#, serde_json::json!({})).is_some());
        assert!(find(r#"{ ...F } fragment F on Query { a(q: "\u0000") }"#, serde_json::json!({})).is_some());
        assert_eq!(
            find("query($q: String) { a(q: $q) }", serde_json::json!({ "q": "x\u{0}" })).unwrap(),
            "variable `$q`"
        );
        assert!(find("{ a }", serde_json::json!({ "f": { "k": ["\u{0}"] } })).is_some());
        assert_eq!(find(r#"{ a(q: "fine ü") }"#, serde_json::json!({ "q": "fine" })), None);
    }
}
