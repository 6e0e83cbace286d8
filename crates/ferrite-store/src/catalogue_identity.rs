//! Manufacturers keyed as the alias table keys them (`ManufacturerAliases::key`): a catalogue
//! written under other keys (before the table, or before the operator's `[[manufacturers]]`
//! changed) is re-keyed, and manufacturers that come to share a key become one.
//!
//! The key needs Rust (legal forms, Unicode, the alias table), so this is not a migration: the
//! catalogue runs it when it opens and the importer before every import.

use std::collections::BTreeMap;

use ferrite_core::keys::ManufacturerAliases;

use crate::{
    CatalogueStore, StoreError,
    db::{Execute, Tx, sql},
};

/// (id, name, key) of a manufacturer as stored.
type Stored = (i64, String, String);

/// Whether some manufacturer is not stored under the key and name `aliases` give it.
fn stale(rows: &[Stored], aliases: &ManufacturerAliases) -> bool {
    rows.iter().any(|(_, name, key)| aliases.key(name) != *key || aliases.canonical_name(name) != name)
}

const MANUFACTURERS: &str = "SELECT id, name, name_key FROM manufacturers ORDER BY id";

impl CatalogueStore {
    /// Stores every manufacturer under the key and canonical name `aliases` give its name, merging
    /// those that come to share a key: the first stored stays, the others' parts and spellings
    /// move to it, and a part it already has (same MPN) takes the moved part's offers. Returns
    /// whether anything changed (the catalogue version moves then). Takes no lock when every
    /// manufacturer is keyed already, which is the case but after an upgrade or a config change.
    pub async fn rekey_manufacturers(&self, aliases: &ManufacturerAliases) -> Result<bool, StoreError> {
        let rows: Vec<Stored> = self.db.fetch_all(sql(MANUFACTURERS)).await?;
        if !stale(&rows, aliases) {
            return Ok(false);
        }
        let mut tx = self.db.begin().await?;
        // The import's lock: re-keying waits for an import to end, and an import for it.
        tx.execute(sql("UPDATE catalogue_state SET updated_at = updated_at WHERE id = 1")).await?;
        let rows: Vec<Stored> = tx.fetch_all(sql(MANUFACTURERS)).await?;
        if !stale(&rows, aliases) {
            return Ok(false); // another node did it meanwhile
        }
        let mut by_key: BTreeMap<String, Vec<&Stored>> = BTreeMap::new();
        for row in &rows {
            by_key.entry(aliases.key(&row.1)).or_default().push(row);
        }
        // Keys move in two steps, so that no row takes a key another row still holds.
        for (id, name, key) in &rows {
            if aliases.key(name) != *key {
                let park = sql("UPDATE manufacturers SET name_key = $1 WHERE id = $2");
                tx.execute(park.bind(format!("\u{1}{id}")).bind(*id)).await?;
            }
        }
        for (key, members) in &by_key {
            let (survivor, survivor_name, survivor_key) = members[0];
            for (merged, merged_name, _) in &members[1..] {
                tracing::info!(into = %survivor_name, merged = %merged_name, "manufacturers merged");
                merge_manufacturer(&mut tx, *survivor, *merged).await?;
            }
            for (_, name, _) in members {
                let spelling = sql("INSERT INTO manufacturer_spellings (manufacturer_id, spelling) VALUES ($1, $2) \
                                    ON CONFLICT DO NOTHING");
                tx.execute(spelling.bind(*survivor).bind(name)).await?;
            }
            let name = aliases.canonical_name(survivor_name);
            if name != survivor_name || key != survivor_key {
                let slug = format!("{}-{survivor}", ferrite_core::slug::slug(name));
                let update = sql("UPDATE manufacturers SET name = $1, name_key = $2, slug = $3 WHERE id = $4");
                tx.execute(update.bind(name).bind(key).bind(&slug).bind(*survivor)).await?;
            }
        }
        let bump = sql("UPDATE catalogue_state SET version = version + 1 WHERE id = 1");
        tx.execute(bump).await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// Moves manufacturer `merged`'s parts and spellings to `survivor` and removes it. A part that
/// `survivor` has already (the same MPN) keeps its own fields and takes the moved one's offers.
async fn merge_manufacturer(tx: &mut Tx, survivor: i64, merged: i64) -> Result<(), StoreError> {
    let statements = [
        "UPDATE offers SET part_id = (SELECT s.id FROM parts s JOIN parts m ON s.mpn = m.mpn \
         WHERE m.id = offers.part_id AND s.manufacturer_id = $1) \
         WHERE part_id IN (SELECT m.id FROM parts m JOIN parts s ON s.mpn = m.mpn AND s.manufacturer_id = $1 \
         WHERE m.manufacturer_id = $2)",
        "DELETE FROM parts WHERE manufacturer_id = $2 AND mpn IN (SELECT mpn FROM parts WHERE manufacturer_id = $1)",
        "UPDATE parts SET manufacturer_id = $1 WHERE manufacturer_id = $2",
        "INSERT INTO manufacturer_spellings (manufacturer_id, spelling) \
         SELECT $1, spelling FROM manufacturer_spellings WHERE manufacturer_id = $2 ON CONFLICT DO NOTHING",
    ];
    for statement in statements {
        tx.execute(sql(statement).bind(survivor).bind(merged)).await?;
    }
    tx.execute(sql("DELETE FROM manufacturers WHERE id = $1").bind(merged)).await?;
    Ok(())
}
