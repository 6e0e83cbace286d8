//! The API's schema, run in two passes over one parsed document: a *checker* that parses and
//! validates a request with the extensions that give request errors their form and refuse what
//! is over budget ([`crate::cost::Budget`], [`crate::errors::RequestErrors`]) and executes
//! nothing, then a *runner* without extensions that executes it. async-graphql resolves every
//! field through the schema's extensions when it has any (a registry lookup and two boxed
//! futures a field); the runner has none, which makes a search answer about a fifth cheaper.

use std::sync::{Arc, LazyLock};

use async_graphql::{
    EmptySubscription, Request, Response, Schema, ValidationMode, Value,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute},
    parser::types::ExecutableDocument,
};

use crate::{Mutation, Query, Services};

type Inner = Schema<Query, Mutation, EmptySubscription>;

#[derive(Clone)]
pub struct ApiSchema {
    checker: Inner,
    runner: Inner,
}

pub fn schema(services: Arc<Services>) -> ApiSchema {
    let build = || Schema::build(Query::default(), Mutation::default(), EmptySubscription);
    let checker = build().extension(crate::cost::Budget).extension(crate::errors::RequestErrors).extension(CheckOnly);
    // Fast: the checker has run every rule on this document already.
    let runner = build().data(services).validation_mode(ValidationMode::Fast).finish();
    ApiSchema { checker: checker.finish(), runner }
}

impl ApiSchema {
    /// Checks `request`, and runs it when it passes.
    pub async fn execute(&self, mut request: Request) -> Response {
        let document = parsed(&request.query);
        let mut check = Request::new(request.query.clone()).variables(request.variables.clone());
        check.operation_name.clone_from(&request.operation_name);
        if let Some(document) = &document {
            check.set_parsed_query(ExecutableDocument::clone(document));
        }
        let checked = self.checker.execute(check).await;
        if checked.is_err() {
            return checked;
        }
        if let Some(document) = document {
            request.set_parsed_query(Arc::unwrap_or_clone(document));
        }
        self.runner.execute(request).await
    }
}

/// The checker's last step: a request that got this far is valid, and the runner executes it.
struct CheckOnly;

impl ExtensionFactory for CheckOnly {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(CheckOnly)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for CheckOnly {
    async fn execute(&self, _: &ExtensionContext<'_>, _: Option<&str>, _: NextExecute<'_>) -> Response {
        Response::new(Value::Null)
    }
}

#[derive(Clone)]
struct QueryBytes;

impl quick_cache::Weighter<String, Arc<ExecutableDocument>> for QueryBytes {
    fn weight(&self, query: &String, _: &Arc<ExecutableDocument>) -> u64 {
        query.len() as u64 + 64
    }
}

/// Parsed queries by their text. Clients send the same few queries over and over, and parsing
/// one (pest) costs about twice as much as validating it. Parsing is a pure function of the text,
/// so one memo serves the whole process; it is bounded by the text it holds (the documents are a
/// small multiple of it).
static PARSED: LazyLock<quick_cache::sync::Cache<String, Arc<ExecutableDocument>, QueryBytes>> =
    LazyLock::new(|| quick_cache::sync::Cache::with_weighter(1024, 4 << 20, QueryBytes));

/// The parsed query of `text`, from the memo or parsed now and kept (shared: the HTTP edge's
/// bounds read it, and only the executing schemas take copies); `None` when it does not parse
/// (the checker then answers with the parse error, as for any request).
pub(crate) fn parsed(text: &str) -> Option<Arc<ExecutableDocument>> {
    if let Some(document) = PARSED.get(text) {
        return Some(document);
    }
    let document = Arc::new(async_graphql::parser::parse_query(text).ok()?);
    PARSED.insert(text.to_owned(), document.clone());
    Some(document)
}
