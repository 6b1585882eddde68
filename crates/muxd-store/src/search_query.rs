//! The statement of [`Store::search_assets`](super::Store::search_assets): a user's query turned
//! into plain terms (never full-text syntax), and the SQL that finds, ranks and pages the assets
//! they match with the cues of each one's matching transcripts. Finding and scoring entries, and
//! saying which transcripts matched, are the parts written once per backend (FTS5 `MATCH` and
//! `bm25` on SQLite, a GIN-indexed `tsvector` and `ts_rank` on PostgreSQL); paging and the
//! access rules are shared.

use super::asset_list::{where_clause, AssetFilter, Bind};
use super::assets::COLUMNS;
use crate::Backend;

/// The longest query considered, in characters; the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 200;
/// The most terms a query keeps; the rest are ignored.
pub const MAX_TERMS: usize = 12;
/// Matching cues returned per asset, earliest first.
pub const CUES_PER_HIT: usize = 3;

/// How much more a match in an asset's name, or its description, counts than one in a
/// transcript.
const WEIGHTS: &str = "CASE e.kind WHEN 'name' THEN 4.0 WHEN 'description' THEN 2.0 ELSE 1.0 END";

/// The words of `text` as a query's terms are taken: runs of letters and digits, lowercased.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
}

/// The terms of a user's query: the [`words`] of its first [`MAX_QUERY_CHARS`] characters,
/// without repeats, at most [`MAX_TERMS`]. Every term must match. Nothing of the full-text syntax
/// of either backend (quotes, `*`, `-`, `:`, `NEAR(`, `AND`…) survives as syntax: what is left
/// are letters and digits, which each backend receives as plain words.
pub fn query_terms(q: &str) -> Vec<String> {
    let considered: String = q.chars().take(MAX_QUERY_CHARS).collect();
    let mut terms: Vec<String> = Vec::new();
    for word in words(&considered) {
        if !terms.contains(&word) && terms.len() < MAX_TERMS {
            terms.push(word);
        }
    }
    terms
}

/// The index tokens of the owner and campaign `filter` narrows to (see migration 0021): they
/// let the full-text index read only those entries.
fn scope_tokens(filter: &AssetFilter) -> Vec<String> {
    let owner = filter
        .owner
        .map(|id| format!("o{}", id.to_string().replace('-', "")));
    let campaign = filter
        .campaign
        .map(|id| format!("c{}", id.to_string().replace('-', "")));
    owner.into_iter().chain(campaign).collect()
}

/// The FTS5 query of `terms` within `scope`: each one a quoted string (terms are letters and
/// digits only, so never hold a quote), terms in the `body` column, scope tokens in `scope`,
/// all joined by `AND`.
fn fts5_query(terms: &[String], scope: &[String]) -> String {
    let scope = scope.iter().map(|token| format!("scope : \"{token}\""));
    let terms = terms.iter().map(|term| format!("body : \"{term}\""));
    scope.chain(terms).collect::<Vec<_>>().join(" AND ")
}

/// The SQL and binds of [`Store::search_assets`](super::Store::search_assets) on `backend`, or
/// `None` when `q` has no terms. Public for the EXPLAIN tests.
pub fn search_query(
    backend: Backend,
    filter: &AssetFilter,
    q: &str,
) -> Option<(String, Vec<Bind>)> {
    let terms = query_terms(q);
    if terms.is_empty() {
        return None;
    }
    let scope = scope_tokens(filter);
    let mut binds = Vec::new();
    // Every entry (name, description or transcript) where all terms match, with its score
    // (higher is better); and the condition that transcript `t` is one of them.
    let (hits, matched) = match backend {
        Backend::Sqlite => {
            binds.push(Bind::Text(fts5_query(&terms, &scope)));
            let hits = format!(
                "SELECT e.id AS entry, e.asset_id,
                    -bm25(search_fts, 0.0, 1.0) * {WEIGHTS} AS score
                 FROM search_fts JOIN search_entries e ON e.id = search_fts.rowid
                 WHERE search_fts MATCH $1"
            );
            (hits, "t.id IN (SELECT entry FROM hits)")
        }
        Backend::Postgres => {
            binds.push(Bind::Text(terms.join(" ")));
            let within = match scope.is_empty() {
                true => String::new(),
                false => {
                    binds.push(Bind::Text(scope.join(" & ")));
                    " && CAST($2 AS tsquery)".into()
                }
            };
            let hits = format!(
                "SELECT e.id AS entry, e.asset_id,
                    ts_rank(e.document, plainto_tsquery('simple', $1)) * {WEIGHTS} AS score
                 FROM search_entries e
                 WHERE e.document @@ (plainto_tsquery('simple', $1){within})"
            );
            (hits, "t.document @@ plainto_tsquery('simple', $1)")
        }
    };
    let filters = where_clause(filter, &mut binds);
    let limit = binds.len() + 1;
    binds.push(Bind::Int(filter.limit));
    binds.push(Bind::Int(filter.offset));
    let sql = format!(
        "WITH hits AS MATERIALIZED ({hits}),
         ranked AS (SELECT asset_id, MAX(score) AS best FROM hits GROUP BY asset_id),
         page AS (
            SELECT {COLUMNS}, ranked.best AS best
            FROM creative_assets JOIN ranked ON ranked.asset_id = creative_assets.id
            {filters}
            ORDER BY best DESC, created_at DESC, id DESC LIMIT ${limit} OFFSET ${offset})
         SELECT page.*, page.id AS hit_id, t.cues AS transcript_cues
         FROM page LEFT JOIN search_entries t
            ON t.asset_id = page.id AND t.kind = 'transcript' AND {matched}
         ORDER BY page.best DESC, page.created_at DESC, page.id DESC, t.id",
        offset = limit + 1
    );
    Some((sql, binds))
}

#[cfg(test)]
mod tests {
    use super::*;
    use muxd_domain::{CampaignId, UserId};

    #[test]
    fn terms_are_letters_and_digits_only() {
        for (q, terms) in [
            ("Quick brown", vec!["quick", "brown"]),
            ("\"quick\" OR brown*", vec!["quick", "or", "brown"]),
            ("NEAR(quick brown, 2)", vec!["near", "quick", "brown", "2"]),
            (
                "-quick body:brown ^fox",
                vec!["quick", "body", "brown", "fox"],
            ),
            ("scope : \"o123\" AND", vec!["scope", "o123", "and"]),
            ("café über 42°", vec!["café", "über", "42"]),
            ("it's it IT", vec!["it", "s"]),
            ("\" * - : ( ) { } + ^", vec![]),
            ("", vec![]),
        ] {
            assert_eq!(query_terms(q), terms, "{q}");
        }
    }

    #[test]
    fn terms_are_capped_in_count_and_length() {
        let many: Vec<String> = (0..20).map(|n| format!("w{n}")).collect();
        assert_eq!(query_terms(&many.join(" ")), many[..MAX_TERMS].to_vec());
        let long = format!("{} tail", "a".repeat(MAX_QUERY_CHARS - 2));
        assert_eq!(
            query_terms(&long),
            vec!["a".repeat(MAX_QUERY_CHARS - 2), "t".into()]
        );
    }

    #[test]
    fn no_terms_no_query() {
        let filter = AssetFilter::default();
        for backend in [Backend::Sqlite, Backend::Postgres] {
            assert!(search_query(backend, &filter, " \"*: ").is_none());
        }
    }

    #[test]
    fn fts5_query_quotes_every_term_and_narrows_to_the_scope() {
        let (owner, campaign) = (UserId::new(), CampaignId::new());
        let filter = AssetFilter {
            owner: Some(owner),
            campaign: Some(campaign),
            ..AssetFilter::default()
        };
        let (_, binds) = search_query(Backend::Sqlite, &filter, "Brown\" OR fox").unwrap();
        let expected = format!(
            "scope : \"o{}\" AND scope : \"c{}\" AND body : \"brown\" AND body : \"or\" AND body : \"fox\"",
            owner.to_string().replace('-', ""),
            campaign.to_string().replace('-', "")
        );
        assert_eq!(binds[0], Bind::Text(expected));
        let (sql, binds) = search_query(Backend::Postgres, &filter, "Brown\" OR fox").unwrap();
        assert_eq!(binds[0], Bind::Text("brown or fox".into()));
        assert!(
            matches!(&binds[1], Bind::Text(scope) if scope.starts_with('o') && scope.contains(" & c"))
        );
        assert!(sql.contains("CAST($2 AS tsquery)"), "{sql}");
        assert!(sql.contains("owner_id = $3"), "{sql}");
    }
}
