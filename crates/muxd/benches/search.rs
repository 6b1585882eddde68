//! Transcript search at scale (`cargo bench -p muxd --bench search`): `ASSETS` assets over
//! `CAMPAIGNS` campaigns (one owner each), every asset with a transcript of `CUES` cues of
//! `WORDS_PER_CUE` words drawn from a `VOCABULARY`-word vocabulary by a seeded RNG with Zipf
//! frequencies (so a few words are in most cues and most words are rare), on SQLite and on
//! PostgreSQL. Then `SEARCHES` searches of one campaign as its owner's page asks (owner and
//! campaign, first page of `PAGE`), each for a 2-word query, timed one at a time: a third of two
//! common words (among the 20 most frequent), a third of two neighbouring words of a cue of the
//! campaign, a third of two rare words (found rarely or never). Reports p50/p99 per kind and
//! overall (target p99 < 20 ms).
//!
//! Rows are written in bulk, as `Store::index_transcript` and the migration's triggers write them
//! (entries of names by the triggers, one transcript per asset with the same scope tokens). Then SQLite's statistics
//! are gathered (muxd does this at start-up and hourly) and PostgreSQL's table vacuumed and
//! analysed (what autovacuum does). `MUXD_SEARCH_BENCH_ASSETS` overrides `ASSETS` (a small value
//! makes a quick smoke run).

use muxd_domain::ExternalUserId;
use std::time::{Duration, Instant};

use muxd_core::config::DatabaseUrl;
use muxd_domain::{AssetId, CampaignId, UserId};
use muxd_store::asset_list::AssetFilter;
use muxd_store::{now_ms, Db, Role, Store};
use muxd_testkit::bench::{self, percentile};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use sqlx::Executor;

const ASSETS: usize = 100_000;
const CAMPAIGNS: usize = 100;
const CUES: usize = 10;
const WORDS_PER_CUE: usize = 8;
const VOCABULARY: usize = 5_000;
const SEARCHES: usize = 500;
const PAGE: i64 = 25;
/// Assets per transaction while filling.
const CHUNK: usize = 500;

/// The vocabulary, most frequent first, and its cumulative Zipf weights (1/rank).
struct Words {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Words {
    fn new(rng: &mut StdRng) -> Words {
        const SYLLABLES: [&str; 16] = [
            "ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "de", "pa", "zu", "bo", "fe", "gi",
            "ha", "jo",
        ];
        let mut words: Vec<String> = Vec::with_capacity(VOCABULARY);
        while words.len() < VOCABULARY {
            let syllables = rng.random_range(1..=4);
            let word: String = (0..syllables)
                .map(|_| SYLLABLES[rng.random_range(0..SYLLABLES.len())])
                .collect();
            if !words.contains(&word) {
                words.push(word);
            }
        }
        let mut total = 0.0;
        let cumulative = (1..=VOCABULARY)
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect();
        Words { words, cumulative }
    }

    /// A word drawn by frequency.
    fn draw(&self, rng: &mut StdRng) -> &str {
        let total = self.cumulative[VOCABULARY - 1];
        let at = rng.random_range(0.0..total);
        let rank = self.cumulative.partition_point(|c| *c < at);
        &self.words[rank.min(VOCABULARY - 1)]
    }
}

/// Runs one statement on `store`'s writer.
async fn execute(store: &Store, sql: &str) {
    match store.db() {
        Db::Sqlite(pool) => pool.execute(sql).await.map(drop),
        Db::Postgres(pool) => pool.execute(sql).await.map(drop),
    }
    .unwrap();
}

/// The owners and campaigns, and each asset's campaign and cue texts.
struct Filled {
    owners: Vec<(UserId, CampaignId)>,
    cues: Vec<(usize, Vec<String>)>,
}

/// `assets` READY assets over [`CAMPAIGNS`] owners and their campaigns, each with [`CUES`] cues.
async fn fill(store: &Store, assets: usize, words: &Words, rng: &mut StdRng) -> Filled {
    let mut owners = Vec::with_capacity(CAMPAIGNS);
    for k in 0..CAMPAIGNS {
        let user = store
            .upsert_user(
                &ExternalUserId::parse(&format!("bench-search-{k}")).unwrap(),
                Role::User,
            )
            .await
            .unwrap();
        let campaign = store.create_campaign(user.id, "bench").await.unwrap();
        owners.push((user.id, campaign.id));
    }
    let now = now_ms();
    let mut kept = Vec::with_capacity(assets);
    for start in (0..assets).step_by(CHUNK) {
        let (mut rows, mut entries) = (Vec::new(), Vec::new());
        for i in start..(start + CHUNK).min(assets) {
            let k = i % CAMPAIGNS;
            let (owner, campaign) = owners[k];
            let id = AssetId::new();
            let at = now - i as i64 * 1000;
            rows.push(format!(
                "('{id}', '{owner}', '{campaign}', 'video {i}', '{id}', 'https://u', 'READY', {at}, {at})"
            ));
            let scope = format!(
                "o{} c{}",
                owner.to_string().replace('-', ""),
                campaign.to_string().replace('-', "")
            );
            let texts: Vec<String> = (0..CUES)
                .map(|_| {
                    let text: Vec<&str> = (0..WORDS_PER_CUE).map(|_| words.draw(rng)).collect();
                    text.join(" ")
                })
                .collect();
            let cues: Vec<(usize, &String)> = (0..).step_by(3000).zip(&texts).collect();
            entries.push(format!(
                "('{id}', 'transcript', 'track-1', 'en', '{}', '{scope}', '{}')",
                serde_json::to_string(&cues).unwrap(),
                texts.join("\n")
            ));
            kept.push((k, texts));
        }
        let sql = format!(
            "BEGIN;
             INSERT INTO creative_assets (id, owner_id, campaign_id, name, passthrough, upload_url,
                mux_processing_status, created_at, updated_at) VALUES {};
             INSERT INTO search_entries (asset_id, kind, track_id, language, cues, scope, body)
                VALUES {};
             COMMIT;",
            rows.join(", "),
            entries.join(", ")
        );
        execute(store, &sql).await;
    }
    // SQLite: what muxd's hourly refresh does; PostgreSQL: what autovacuum does soon after.
    store.refresh_statistics().await.unwrap();
    if store.backend() == muxd_core::config::Backend::Postgres {
        execute(store, "VACUUM ANALYZE search_entries").await;
        execute(store, "ANALYZE creative_assets").await;
    }
    Filled { owners, cues: kept }
}

/// One kind of query: its latencies (sorted) and how many assets its searches found in all.
struct Timed {
    latencies: Vec<Duration>,
    found: usize,
}

impl Timed {
    fn summary(&mut self) -> Value {
        self.latencies.sort();
        json!({
            "searches": self.latencies.len(),
            "p50_ms": percentile(&self.latencies, 0.5),
            "p99_ms": percentile(&self.latencies, 0.99),
            "max_ms": percentile(&self.latencies, 1.0),
            "mean_hits": self.found as f64 / self.latencies.len().max(1) as f64,
        })
    }
}

async fn bench(label: &str, url: DatabaseUrl) -> Value {
    let assets = std::env::var("MUXD_SEARCH_BENCH_ASSETS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(ASSETS);
    println!("{label}: {assets} assets x {CUES} cues over {CAMPAIGNS} campaigns");
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let mut rng = StdRng::seed_from_u64(2026);
    let words = Words::new(&mut rng);
    let started = Instant::now();
    let filled = fill(&store, assets, &words, &mut rng).await;
    let fill_s = started.elapsed().as_secs_f64();
    println!("  filled in {fill_s:.1} s");
    let kinds = ["common", "from_a_cue", "rare"];
    let mut timed: Vec<Timed> = kinds
        .iter()
        .map(|_| Timed {
            latencies: Vec::new(),
            found: 0,
        })
        .collect();
    for n in 0..SEARCHES {
        let (k, texts) = &filled.cues[rng.random_range(0..filled.cues.len())];
        let (owner, campaign) = filled.owners[*k];
        let q = match n % 3 {
            0 => format!(
                "{} {}",
                words.words[rng.random_range(0..20)],
                words.words[rng.random_range(0..20)]
            ),
            1 => {
                let cue: Vec<&str> = texts[rng.random_range(0..CUES)].split(' ').collect();
                let at = rng.random_range(0..WORDS_PER_CUE - 1);
                format!("{} {}", cue[at], cue[at + 1])
            }
            _ => format!(
                "{} {}",
                words.words[rng.random_range(VOCABULARY / 5..VOCABULARY)],
                words.words[rng.random_range(VOCABULARY / 5..VOCABULARY)]
            ),
        };
        let filter = AssetFilter {
            owner: Some(owner),
            campaign: Some(campaign),
            limit: PAGE,
            ..Default::default()
        };
        let t = Instant::now();
        let hits = store.search_assets(&filter, &q).await.unwrap();
        timed[n % 3].latencies.push(t.elapsed());
        timed[n % 3].found += hits.len();
        if n % 3 == 1 {
            assert!(!hits.is_empty(), "{q} is said in the campaign");
        }
    }
    let mut all = Timed {
        latencies: timed.iter().flat_map(|t| t.latencies.clone()).collect(),
        found: timed.iter().map(|t| t.found).sum(),
    };
    let mut result = serde_json::Map::new();
    result.insert("fill_s".into(), json!(fill_s));
    for (kind, t) in kinds.iter().zip(&mut timed) {
        result.insert((*kind).into(), t.summary());
    }
    result.insert("all".into(), all.summary());
    let result = Value::Object(result);
    println!("  {}", serde_json::to_string(&result).unwrap());
    store.close().await;
    result
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    bench::on_each_database("search", bench).await;
}
