//! Errors as Nexar clients expect them: a message and an `extensions.code` they can switch on;
//! and the request errors of parsing and validation in the same form ([`RequestErrors`]).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use async_graphql::{
    Error, ErrorExtensions, Pos, ServerError, ServerResult, ValidationResult, Variables,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation},
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

pub const TOKEN_INVALID_MESSAGE: &str = "Token validation failed. Please provide a valid access token.";

pub fn coded(message: impl Into<String>, code: &'static str) -> Error {
    Error::new(message).extend_with(|_, e| e.set("code", code))
}

/// A root field needs a scope the token does not carry.
pub fn missing_scope(scope: ferrite_core::scope::Scope) -> Error {
    coded(format!("This query needs the `{scope}` scope, which the access token does not carry."), "AuthMissingScope")
}

/// An argument out of its bounds, with Nexar's exact wording where Nexar has one.
pub fn bad_argument(message: impl Into<String>) -> Error {
    coded(message, "BadArgument")
}

/// Something failed inside; the detail goes to the log, never to the client.
pub fn internal(err: impl std::fmt::Display) -> Error {
    tracing::error!(error = %err, "a resolver failed");
    coded("Internal error. Please try again later.", "InternalError")
}

/// Request errors as Nexar clients read them: a syntax error is a sentence with its line and
/// column (`GRAPHQL_PARSE_FAILED`), a validation error carries `GRAPHQL_VALIDATION_FAILED`, and
/// an unknown field's arguments are not reported again as unknown arguments of its parent.
pub struct RequestErrors;

impl ExtensionFactory for RequestErrors {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(QueryText::default())
    }
}

/// One request's query text, kept from parsing for the validation errors, should there be any.
#[derive(Default)]
struct QueryText(Mutex<String>);

#[async_graphql::async_trait::async_trait]
impl Extension for QueryText {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        *self.0.lock().unwrap_or_else(|poison| poison.into_inner()) = query.to_owned();
        next.run(ctx, query, variables).await.map_err(syntax_sentence)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            let query = std::mem::take(&mut *self.0.lock().unwrap_or_else(|poison| poison.into_inner()));
            validation_errors(&query, errors)
        })
    }
}

/// The code of `error`, set unless it has one (refusals of the cost budget keep theirs).
fn with_code(mut error: ServerError, code: &'static str) -> ServerError {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", code);
    }
    error
}

/// The parser's error (` --> 1:20`, the line drawn, `= expected selection_set, …`) as a sentence:
/// `Syntax error at line 1, column 20: expected a selection set, selection, directive, or arguments.`
fn syntax_sentence(mut error: ServerError) -> ServerError {
    let expected = error.message.lines().find_map(|line| line.trim().strip_prefix("= ")).map(str::to_owned);
    if let (Some(expected), Some(at)) = (expected, error.locations.first()) {
        let expected = expected
            .replace("executable_definition", "an operation or fragment")
            .replace("EOI", "the end of the document")
            .replace('_', " ");
        error.message = format!("Syntax error at line {}, column {}: {expected}.", at.line, at.column);
        return with_code(error, "GRAPHQL_PARSE_FAILED");
    }
    error
}

fn validation_errors(query: &str, errors: Vec<ServerError>) -> Vec<ServerError> {
    // Parsed again only here, on the error path; it parsed a moment ago.
    let document = async_graphql::parser::parse_query(query).ok();
    let owners = document.as_ref().map(argument_owners);
    errors
        .into_iter()
        .filter(|error| !owners.as_ref().is_some_and(|owners| blames_the_wrong_field(error, owners)))
        .map(|error| with_code(error, "GRAPHQL_VALIDATION_FAILED"))
        .collect()
}

/// async-graphql 7.2 checks the arguments of a field the type does not have against the
/// enclosing field's (`part { nosuch(x: 1) }` → `Unknown argument "x" on field "part"`). Such an
/// error names a field other than the one its argument is written on; the unknown field is
/// reported already.
fn blames_the_wrong_field(error: &ServerError, owners: &HashMap<Pos, &str>) -> bool {
    let Some(named) = error
        .message
        .strip_prefix("Unknown argument \"")
        .and_then(|rest| rest.split_once("\" on field \""))
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(field, _)| field)
    else {
        return false;
    };
    error.locations.first().and_then(|at| owners.get(at)).is_some_and(|owner| *owner != named)
}

/// The field each argument of `document` is written on, by the argument's position.
fn argument_owners(document: &ExecutableDocument) -> HashMap<Pos, &str> {
    let mut owners = HashMap::new();
    let mut sets: Vec<&SelectionSet> = document.operations.iter().map(|(_, op)| &op.node.selection_set.node).collect();
    sets.extend(document.fragments.values().map(|fragment| &fragment.node.selection_set.node));
    while let Some(set) = sets.pop() {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    for (name, _) in &field.node.arguments {
                        owners.insert(name.pos, field.node.name.node.as_str());
                    }
                    sets.push(&field.node.selection_set.node);
                }
                Selection::InlineFragment(fragment) => sets.push(&fragment.node.selection_set.node),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
    owners
}
