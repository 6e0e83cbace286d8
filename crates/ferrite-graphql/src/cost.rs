//! What a request may cost before it runs. Every field costs 1 plus what it selects (async-graphql's
//! complexity), and the fields that make the server search cost a floor of their own, whatever
//! their `limit`: a search with `limit: 0` returns no part, so is never charged, but its work is
//! real. Aliases count once each. A request over [`MAX_COST`] is refused whole, before anything
//! runs, with the code `QueryTooComplex`; selections nested past [`crate::MAX_DEPTH`] with
//! `QueryTooDeep`.

use std::sync::Arc;

use async_graphql::{
    ServerError, ValidationResult,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation},
    parser::types::{BaseType, ExecutableDocument},
};

/// The most one request may cost.
pub const MAX_COST: usize = 20_000;
/// One `supSearch` or `supSearchMpn`: a search of the index.
pub const SEARCH_COST: usize = 100;
/// Asking a search for facets (`manufacturerAgg`, `distributorAgg`, `categoryAgg`, `specAggs`,
/// `allFilters`, `suggestedFilters`, `suggestedCategories`, `specsViewAttributeGroups`,
/// `inStockAgg`; and `supSpellingCorrection`): they are counted over every match, not the page,
/// which makes the search several times dearer.
pub const AGGREGATION_COST: usize = 400;
/// One query of a `supMultiMatch`: an MPN search or a SKU lookup, whatever its `limit`.
pub const MATCH_QUERY_COST: usize = 20;

/// The cost of a search field that selects `selected`.
pub fn search(selected: usize) -> usize {
    SEARCH_COST.saturating_add(selected)
}

/// The cost of an aggregation field that selects `selected`.
pub fn aggregation(selected: usize) -> usize {
    AGGREGATION_COST.saturating_add(selected)
}

/// The cost of a `supMultiMatch` of `queries` queries, each answer selecting `selected`.
pub fn multi_match(queries: usize, selected: usize) -> usize {
    queries.max(1).saturating_mul(MATCH_QUERY_COST.saturating_add(selected))
}

/// The schema extension that refuses a request over budget once it has been validated, before
/// it executes.
pub struct Budget;

impl ExtensionFactory for Budget {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Budget)
    }
}

fn refusal(message: String, code: &'static str, extra: &[(&str, usize)]) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", code);
    for (name, value) in extra {
        extensions.set(*name, *value as u64);
    }
    error.extensions = Some(extensions);
    error
}

#[async_graphql::async_trait::async_trait]
impl Extension for Budget {
    /// Refuses a variable of a type the schema does not have before validation, which in
    /// async-graphql 7.2 panics on the default value of such a variable (found by fuzzing:
    /// `query($x: [[Striog]] = [["a"]])`).
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &async_graphql::Variables,
        next: NextParseQuery<'_>,
    ) -> async_graphql::ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        for (_, operation) in document.operations.iter() {
            for variable in &operation.node.variable_definitions {
                let mut ty = &variable.node.var_type.node;
                let name = loop {
                    match &ty.base {
                        BaseType::Named(name) => break name,
                        BaseType::List(inner) => ty = inner,
                    }
                };
                if !ctx.schema_env.registry.types.contains_key(name.as_str()) {
                    let message = format!("Unknown type \"{name}\" of variable \"${}\".", variable.node.name.node);
                    return Err(refusal(message, "BadRequest", &[]));
                }
            }
        }
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        if result.depth > crate::MAX_DEPTH {
            let message =
                format!("The query is nested too deep: {} levels, at most {}.", result.depth, crate::MAX_DEPTH);
            return Err(vec![refusal(
                message,
                "QueryTooDeep",
                &[("depth", result.depth), ("maxDepth", crate::MAX_DEPTH)],
            )]);
        }
        if result.complexity > MAX_COST {
            let message = format!(
                "The query is too complex: it costs {}, at most {MAX_COST} is allowed. Each search costs {SEARCH_COST}, \
                 each aggregation {AGGREGATION_COST} and each supMultiMatch query {MATCH_QUERY_COST}, \
                 plus 1 per field selected; split the query into smaller requests.",
                result.complexity
            );
            return Err(vec![refusal(
                message,
                "QueryTooComplex",
                &[("cost", result.complexity), ("maxCost", MAX_COST)],
            )]);
        }
        Ok(result)
    }
}
