//! The lookup root fields of Nexar's supply schema beyond search and match: offers by reference,
//! part extras, Octocart links and the Ciiva id mappings.

use async_graphql::{Context, InputObject, Object, Result, SimpleObject};

use super::{
    SupApiCredentials, check_count,
    extras::{SupErrorPayload, SupPartExtras, SupUnionPayload},
    live_wait, parts_by_id, supply_env,
    types::SupOffer,
};
use crate::context::count_parts;

#[derive(InputObject)]
pub struct SupOfferReference {
    part_id: String,
    offer_id: String,
}

#[derive(SimpleObject)]
#[graphql(serial)]
pub struct SupPartOffer {
    part_id: String,
    seller_id: String,
    offer: SupOffer,
}

/// A cart line; read by nobody, as no cart is built.
#[derive(InputObject)]
#[allow(dead_code)]
pub struct SupOctocartItemInput {
    part_id: String,
    offer_id: String,
    quantity: i32,
}

#[derive(InputObject)]
#[allow(dead_code)]
pub struct SupOctocartPartsBySellerInput {
    seller_id: String,
    items: Vec<SupOctocartItemInput>,
}

#[derive(SimpleObject)]
#[graphql(serial)]
pub struct SupOctocartLink {
    seller_id: String,
    cart_url: Option<String>,
}

#[derive(Default)]
pub struct SupplyLookups;

#[allow(clippy::too_many_arguments)]
#[Object]
impl SupplyLookups {
    /// Offers by part id and offer id, in the order asked; a reference to no offer of that part
    /// answers null. With `distributorApi: true` the parts' offers are looked up live first.
    async fn sup_part_offers(
        &self,
        ctx: &Context<'_>,
        country: String,
        currency: String,
        references: Vec<SupOfferReference>,
        distributor_api: Option<bool>,
        #[graphql(default = "3s")] distributor_api_timeout: String,
        custom_pricing_credentials: Option<Vec<SupApiCredentials>>,
    ) -> Result<Option<Vec<Option<SupPartOffer>>>> {
        let mut env = supply_env(ctx, &country, &currency)?;
        let live = live_wait(distributor_api, &distributor_api_timeout, custom_pricing_credentials)?;
        check_count(references.len())?;
        let ids: Vec<String> = references.iter().map(|r| r.part_id.clone()).collect();
        let parts = parts_by_id(&mut env, &ids, live).await?;
        let answer = references
            .iter()
            .zip(parts)
            .map(|(reference, part)| {
                let part = part?;
                let index = part.view.offers.iter().position(|o| o.id.to_string() == reference.offer_id)?;
                Some(SupPartOffer {
                    part_id: reference.part_id.clone(),
                    seller_id: part.view.offers[index].seller_id.to_string(),
                    offer: SupOffer::new(part.view.clone(), index, env.clone()),
                })
            })
            .collect();
        Ok(Some(answer))
    }

    /// Nexar builds carts at the sellers' shops; Ferrite has no such integration, so every
    /// seller's link answers a null `cartUrl`.
    async fn sup_octocart(
        &self,
        ctx: &Context<'_>,
        items: Vec<SupOctocartPartsBySellerInput>,
        #[graphql(default_with = "Some(\"US\".into())")] country: Option<String>,
        #[graphql(default_with = "Some(\"USD\".into())")] currency: Option<String>,
    ) -> Result<Option<Vec<SupOctocartLink>>> {
        supply_env(ctx, country.as_deref().unwrap_or("US"), currency.as_deref().unwrap_or("USD"))?;
        check_count(items.len())?;
        let links = items.into_iter().map(|seller| SupOctocartLink { seller_id: seller.seller_id, cart_url: None });
        Ok(Some(links.collect()))
    }

    /// The extras of one part; null for an unknown id.
    async fn sup_part_extras_by_part_id(&self, ctx: &Context<'_>, part_id: String) -> Result<Option<SupPartExtras>> {
        let mut env = supply_env(ctx, "US", "USD")?;
        let part = parts_by_id(&mut env, std::slice::from_ref(&part_id), None).await?.pop().flatten();
        count_parts(ctx, usize::from(part.is_some()));
        Ok(part.map(|part| SupPartExtras { part: part.view, dictionary: env.dictionary.clone() }))
    }

    /// The extras of each part, in the order asked; an unknown id answers an error payload.
    async fn sup_part_extras_by_part_ids(
        &self,
        ctx: &Context<'_>,
        part_ids: Vec<String>,
    ) -> Result<Option<Vec<SupUnionPayload>>> {
        let mut env = supply_env(ctx, "US", "USD")?;
        check_count(part_ids.len())?;
        let parts = parts_by_id(&mut env, &part_ids, None).await?;
        count_parts(ctx, parts.iter().flatten().count());
        let answer = part_ids
            .iter()
            .zip(parts)
            .map(|(id, part)| match part {
                Some(part) => SupUnionPayload::SupPartExtras(SupPartExtras {
                    part: part.view,
                    dictionary: env.dictionary.clone(),
                }),
                None => {
                    SupUnionPayload::SupErrorPayload(SupErrorPayload { message: format!("no part with id `{id}`") })
                }
            })
            .collect();
        Ok(Some(answer))
    }

    /// Ciiva (Altium's former component database) ids are not part of Ferrite's catalogue: the
    /// mappings below always answer null.
    async fn sup_octopart_id_from_ciiva_id(
        &self,
        ctx: &Context<'_>,
        workspace_url: String,
        ciiva_id: String,
    ) -> Result<Option<String>> {
        supply_env(ctx, "US", "USD")?;
        let _ = (workspace_url, ciiva_id);
        Ok(None)
    }

    async fn sup_part_id_from_ciiva_id(&self, ctx: &Context<'_>, ciiva_id: String) -> Result<Option<String>> {
        supply_env(ctx, "US", "USD")?;
        let _ = ciiva_id;
        Ok(None)
    }

    async fn sup_part_ids_from_ciiva_ids(
        &self,
        ctx: &Context<'_>,
        ciiva_ids: Vec<String>,
    ) -> Result<Option<Vec<Option<String>>>> {
        supply_env(ctx, "US", "USD")?;
        check_count(ciiva_ids.len())?;
        Ok(Some(vec![None; ciiva_ids.len()]))
    }

    async fn sup_ciiva_id_from_part_id(&self, ctx: &Context<'_>, part_id: String) -> Result<Option<String>> {
        supply_env(ctx, "US", "USD")?;
        let _ = part_id;
        Ok(None)
    }

    async fn sup_ciiva_ids_from_part_ids(
        &self,
        ctx: &Context<'_>,
        part_ids: Vec<String>,
    ) -> Result<Option<Vec<Option<String>>>> {
        supply_env(ctx, "US", "USD")?;
        check_count(part_ids.len())?;
        Ok(Some(vec![None; part_ids.len()]))
    }
}
