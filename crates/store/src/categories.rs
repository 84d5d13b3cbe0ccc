//! Categories in the database: the seeded tree, settings kept as versions (every edit is a new
//! version with who, when and why), and the [`Catalog`] the store keeps in memory so intake
//! never reads categories from the database.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use jiedao_core::category::{CategorySettings, seeded_categories};
use jiedao_core::{Capability, CategoryId, Lang};
use serde::Serialize;

use crate::audit;
use crate::db::Conn;
use crate::error::StoreError;
use crate::refusal::Refusal;
use crate::scope::{Actor, Scope};

/// One category with its current settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryEntry {
    pub id: CategoryId,
    pub code: String,
    pub parent: Option<CategoryId>,
    pub name: String,
    pub name_en: String,
    pub is_leaf: bool,
    pub active: bool,
    pub settings: CategorySettings,
    pub version: i64,
}

impl CategoryEntry {
    /// The name in the reader's language.
    pub fn name_in(&self, lang: Lang) -> &str {
        match lang {
            Lang::En if !self.name_en.is_empty() => &self.name_en,
            _ => &self.name,
        }
    }

    pub fn as_ref(&self) -> jiedao_core::case::CategoryRef {
        jiedao_core::case::CategoryRef {
            id: self.id,
            code: self.code.clone(),
            name: self.name.clone(),
        }
    }
}

/// Every category, in tree order, with lookups by id and code.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    entries: Vec<CategoryEntry>,
    by_id: HashMap<CategoryId, usize>,
    by_code: HashMap<String, usize>,
}

impl Catalog {
    fn new(entries: Vec<CategoryEntry>) -> Catalog {
        let by_id = entries.iter().enumerate().map(|(i, e)| (e.id, i)).collect();
        let by_code = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.code.clone(), i))
            .collect();
        Catalog {
            entries,
            by_id,
            by_code,
        }
    }

    pub fn all(&self) -> &[CategoryEntry] {
        &self.entries
    }

    pub fn get(&self, id: CategoryId) -> Option<&CategoryEntry> {
        self.by_id.get(&id).and_then(|i| self.entries.get(*i))
    }

    pub fn by_code(&self, code: &str) -> Option<&CategoryEntry> {
        self.by_code.get(code).and_then(|i| self.entries.get(*i))
    }

    /// Active leaves, optionally only those open to the public.
    pub fn leaves(&self, public_only: bool) -> impl Iterator<Item = &CategoryEntry> {
        self.entries
            .iter()
            .filter(move |e| e.is_leaf && e.active && (!public_only || e.settings.public))
    }

    /// The category and its ancestors, top first ("事件 › 市容环境 › 暴露垃圾").
    pub fn lineage(&self, id: CategoryId) -> Vec<&CategoryEntry> {
        let mut chain = Vec::new();
        let mut current = self.get(id);
        while let Some(entry) = current {
            chain.push(entry);
            current = entry.parent.and_then(|p| self.get(p));
        }
        chain.reverse();
        chain
    }

    /// The settings a case of this category works by; the defaults when it has none.
    pub fn settings(&self, id: Option<CategoryId>) -> CategorySettings {
        id.and_then(|id| self.get(id))
            .map(|e| e.settings.clone())
            .unwrap_or_default()
    }
}

/// Adds the seeded categories that are missing, each with its first version of settings.
pub fn seed(conn: &mut Conn, actor: &Actor, at: DateTime<Utc>) -> Result<(), StoreError> {
    let seeds = seeded_categories().map_err(|error| StoreError::Config(error.to_string()))?;
    let mut added = 0_usize;
    for (order, seed) in seeds.iter().enumerate() {
        let parent: Option<CategoryId> = match &seed.parent {
            Some(code) => {
                conn.query_opt("SELECT id FROM category WHERE code = $1", &[code], |row| {
                    row.get(0)
                })?
            }
            None => None,
        };
        let id = CategoryId::new();
        let inserted = conn.execute(
            "INSERT INTO category (id, code, parent_id, name, name_en, is_leaf, active, sort_order)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (code) DO NOTHING",
            &[
                &id,
                &seed.code,
                &parent,
                &seed.name,
                &seed.name_en,
                &seed.is_leaf,
                &true,
                &(order as i64),
            ],
        )?;
        if inserted == 0 {
            continue;
        }
        added += 1;
        let settings =
            serde_json::to_string(&seed.settings).map_err(|e| StoreError::Query(e.to_string()))?;
        conn.execute(
            "INSERT INTO category_setting (category_id, version, settings, changed_at, changed_by, reason)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[&id, &1_i64, &settings, &at, &actor.name, &"seed"],
        )?;
    }
    if added > 0 {
        audit::record(conn, actor, at, "category.seed", "category", &added)?;
    }
    Ok(())
}

/// Every category with its latest settings.
pub fn load(conn: &mut Conn) -> Result<Catalog, StoreError> {
    let rows = conn.query(
        "SELECT c.id, c.code, c.parent_id, c.name, c.name_en, c.is_leaf, c.active, s.settings, s.version
         FROM category c JOIN category_setting s ON s.category_id = c.id
         WHERE s.version = (SELECT MAX(v.version) FROM category_setting v WHERE v.category_id = c.id)
         ORDER BY c.sort_order",
        &[],
        |row| {
            let settings: String = row.get(7)?;
            Ok(CategoryEntry {
                id: row.get(0)?,
                code: row.get(1)?,
                parent: row.get(2)?,
                name: row.get(3)?,
                name_en: row.get(4)?,
                is_leaf: row.get(5)?,
                active: row.get(6)?,
                settings: serde_json::from_str(&settings).map_err(|e| StoreError::Query(e.to_string()))?,
                version: row.get(8)?,
            })
        },
    )?;
    Ok(Catalog::new(rows))
}

/// Records new settings for a category as its next version.
pub fn update_settings(
    conn: &mut Conn,
    scope: &Scope,
    actor: &Actor,
    at: DateTime<Utc>,
    id: CategoryId,
    settings: &CategorySettings,
    reason: &str,
) -> Result<i64, StoreError> {
    scope.require(Capability::ManageSettings)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Refusal::EmptyField {
            field: "field.reason",
        }
        .into());
    }
    let code: Option<String> =
        conn.query_opt("SELECT code FROM category WHERE id = $1", &[&id], |r| {
            r.get(0)
        })?;
    let code = code.ok_or_else(|| Refusal::NotFound {
        what: "noun.category",
        key: id.to_string(),
    })?;
    let version: i64 = conn.scalar(
        "SELECT COALESCE(MAX(version), 0) + 1 FROM category_setting WHERE category_id = $1",
        &[&id],
    )?;
    let text = serde_json::to_string(settings).map_err(|e| StoreError::Query(e.to_string()))?;
    conn.execute(
        "INSERT INTO category_setting (category_id, version, settings, changed_at, changed_by, reason)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[&id, &version, &text, &at, &actor.name, &reason],
    )?;
    audit::record(
        conn,
        actor,
        at,
        "category.update_settings",
        &format!("category:{code}"),
        &serde_json::json!({ "version": version, "reason": reason, "settings": settings }),
    )?;
    crate::reference::changed(conn, at)?;
    Ok(version)
}

/// One version of a category's settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SettingVersion {
    pub version: i64,
    pub settings: CategorySettings,
    pub changed_at: DateTime<Utc>,
    pub changed_by: String,
    pub reason: String,
}

/// Every version of a category's settings, newest first.
pub fn history(conn: &mut Conn, id: CategoryId) -> Result<Vec<SettingVersion>, StoreError> {
    conn.query(
        "SELECT version, settings, changed_at, changed_by, reason FROM category_setting
         WHERE category_id = $1 ORDER BY version DESC",
        &[&id],
        |row| {
            let settings: String = row.get(1)?;
            Ok(SettingVersion {
                version: row.get(0)?,
                settings: serde_json::from_str(&settings)
                    .map_err(|e| StoreError::Query(e.to_string()))?,
                changed_at: row.get(2)?,
                changed_by: row.get(3)?,
                reason: row.get(4)?,
            })
        },
    )
}
