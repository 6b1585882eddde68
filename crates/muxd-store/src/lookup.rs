//! Finding the row an event is about, by the keys it names (passthrough, then upload id, then
//! asset id; see [`Candidates::pick`]), for one event or for a whole batch of them: the rows any
//! of the keys could name are read in ONE statement, then each event's row is picked from them.

use super::assets::{decode_all, AssetRow, CreativeAsset, COLUMNS};
use super::{Backend, Conn, StoreResult};
use muxd_domain::{AssetId, MatchKeys};

/// The rows some events' keys could name, as read together.
#[derive(Debug, Default)]
pub struct Candidates {
    rows: Vec<CreativeAsset>,
}

impl Candidates {
    /// Reads every row that `keys` name by any of their keys, in one statement (an indexed
    /// search per kind of key). Nothing is read when no key is given.
    pub async fn read(conn: &mut Conn<'_>, keys: &[&MatchKeys]) -> StoreResult<Candidates> {
        let ids: Vec<String> = keys
            .iter()
            .filter_map(|k| k.passthrough.map(|id| id.to_string()))
            .collect();
        let uploads: Vec<&str> = keys.iter().filter_map(|k| k.upload_id.as_deref()).collect();
        let assets: Vec<&str> = keys.iter().filter_map(|k| k.asset_id.as_deref()).collect();
        if ids.is_empty() && uploads.is_empty() && assets.is_empty() {
            return Ok(Candidates::default());
        }
        let rows: Vec<AssetRow> = match conn {
            Conn::Sqlite(c) => {
                let json = |values: Vec<&str>| serde_json::to_string(&values).expect("strings");
                sqlx::query_as(&candidates_sql(Backend::Sqlite))
                    .bind(json(ids.iter().map(String::as_str).collect()))
                    .bind(json(uploads))
                    .bind(json(assets))
                    .fetch_all(&mut **c)
                    .await?
            }
            Conn::Postgres(c) => {
                sqlx::query_as(&candidates_sql(Backend::Postgres))
                    .bind(&ids)
                    .bind(&uploads)
                    .bind(&assets)
                    .fetch_all(&mut **c)
                    .await?
            }
        };
        let mut rows = decode_all(rows)?;
        // A row named by two of its keys is read twice.
        rows.sort_by_key(|row| row.id);
        rows.dedup_by_key(|row| row.id);
        Ok(Candidates { rows })
    }

    /// The row `keys` name among these: the row whose id is the passthrough, else the row with
    /// the upload id, else the row with the asset id (docs/contract.md §3, Linking and Replacing
    /// in place). One exception, the only place replacements touch the lookup: when the event
    /// names a Mux asset that another row holds, that row. A replaced card's old asset still
    /// carries the card's passthrough, but after the swap a take row holds it, so the old asset's
    /// late events (its `video.asset.deleted`) land on that take and never on the card; and the
    /// new asset's events, carrying the take's passthrough, land on the card that now holds it.
    pub fn pick(&self, keys: &MatchKeys) -> Option<&CreativeAsset> {
        let holding = |asset: Option<&String>| {
            asset.and_then(|asset| {
                self.rows
                    .iter()
                    .find(|row| row.facts.mux_asset_id.as_ref() == Some(asset))
            })
        };
        if let Some(row) = keys.passthrough.and_then(|id| self.by_id(id)) {
            let holds_other = match (&row.facts.mux_asset_id, &keys.asset_id) {
                (Some(held), Some(named)) => held != named,
                _ => false,
            };
            return match holds_other {
                true => holding(keys.asset_id.as_ref()).or(Some(row)),
                false => Some(row),
            };
        }
        let uploading = keys.upload_id.as_ref().and_then(|upload| {
            self.rows
                .iter()
                .find(|row| row.mux_upload_id.as_ref() == Some(upload))
        });
        uploading.or_else(|| holding(keys.asset_id.as_ref()))
    }

    fn by_id(&self, id: AssetId) -> Option<&CreativeAsset> {
        self.rows.iter().find(|row| row.id == id)
    }
}

/// The statement [`Candidates::read`] runs on `backend`: the rows whose id, upload id or asset id
/// is among three lists ($1, $2, $3: arrays on PostgreSQL, JSON arrays on SQLite), one indexed
/// search per kind of key. Public so a test can check its plans.
pub fn candidates_sql(backend: Backend) -> String {
    let among = match backend {
        Backend::Postgres => "= ANY($N)",
        Backend::Sqlite => "IN (SELECT value FROM json_each($N))",
    };
    let by = |column: &str, n: usize| {
        let among = among.replace("$N", &format!("${n}"));
        format!("SELECT {COLUMNS} FROM creative_assets WHERE {column} {among}")
    };
    format!(
        "{} UNION ALL {} UNION ALL {}",
        by("id", 1),
        by("mux_upload_id", 2),
        by("mux_asset_id", 3)
    )
}

/// The row an event with `keys` is about, if any yet ([`Candidates::pick`]).
pub async fn find_by_keys(
    conn: &mut Conn<'_>,
    keys: &MatchKeys,
) -> StoreResult<Option<CreativeAsset>> {
    let candidates = Candidates::read(conn, &[keys]).await?;
    Ok(candidates.pick(keys).cloned())
}
