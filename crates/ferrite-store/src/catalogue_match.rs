//! The catalogue parts BOM lines may mean: parts by MPN key with their manufacturer's name, so
//! that design data can link its manufacturer parts without loading the catalogue.

use crate::{
    CatalogueStore, StoreError,
    db::{Execute, list_statement},
};

/// At most this many keys per statement (bind parameters are limited on both backends).
const KEYS_PER_QUERY: usize = 500;

impl CatalogueStore {
    /// (MPN key, part id, manufacturer name) of every part whose MPN key is one of `keys`.
    pub async fn parts_by_mpn_keys(&self, keys: &[String]) -> Result<Vec<(String, i64, String)>, StoreError> {
        let mut found = Vec::new();
        for chunk in keys.chunks(KEYS_PER_QUERY) {
            let mut query = list_statement(
                "SELECT p.mpn_key, p.id, m.name FROM parts p JOIN manufacturers m ON m.id = p.manufacturer_id
                 WHERE p.mpn_key IN",
                chunk.len(),
                " ORDER BY p.id",
            );
            for key in chunk {
                query = query.bind(key);
            }
            found.extend(self.db.fetch_all::<(String, i64, String)>(query).await?);
        }
        Ok(found)
    }
}
