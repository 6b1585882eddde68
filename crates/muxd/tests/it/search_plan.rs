//! The plan of a campaign's search on both backends: the full-text index is what is read
//! (SQLite: the FTS5 table; PostgreSQL: the GIN index), whatever the table's size.

use muxd_domain::ExternalUserId;
use muxd_store::asset_list::{AssetFilter, Bind};
use muxd_store::search_query::search_query;
use muxd_store::{Db, Role, Store};
use sqlx::Row;

use crate::search::{asset, cues, of};
use muxd_testkit::databases::{explain_plan, store_test};

store_test!(
    the_full_text_index_is_read,
    super::the_full_text_index_is_read
);
async fn the_full_text_index_is_read(store: Store) {
    let user = store
        .upsert_user(&ExternalUserId::parse("user_search_6").unwrap(), Role::User)
        .await
        .unwrap();
    let campaign = store.create_campaign(user.id, "Plan").await.unwrap();
    let id = asset(&store, user.id, Some(campaign.id), "clip.mp4").await;
    store
        .index_transcript(id, "t1", "en", &cues(0, &["quick brown fox"]))
        .await
        .unwrap();
    let filter = AssetFilter {
        campaign: Some(campaign.id),
        ..of(user.id)
    };
    let (mut query, binds) = search_query(store.backend(), &filter, "quick fox").unwrap();
    for (i, bind) in binds.iter().enumerate().rev() {
        let literal = match bind {
            Bind::Text(text) => format!("'{}'", text.replace('\'', "''")),
            Bind::Int(n) => n.to_string(),
        };
        query = query.replace(&format!("${}", i + 1), &literal);
    }
    match store.db() {
        Db::Sqlite(_) => {
            let plan = explain_plan(&store, &format!("EXPLAIN QUERY PLAN {query}")).await;
            assert!(
                plan.contains("SCAN search_fts VIRTUAL TABLE INDEX"),
                "{plan}"
            );
            assert!(!plan.contains("SCAN e"), "entries by rowid only:\n{plan}");
        }
        Db::Postgres(pool) => {
            // A table this small is cheaper to scan; the plan for a large one is the question.
            let mut conn = pool.acquire().await.unwrap();
            sqlx::query("SET enable_seqscan = off")
                .execute(&mut *conn)
                .await
                .unwrap();
            let rows = sqlx::query(&format!("EXPLAIN {query}"))
                .fetch_all(&mut *conn)
                .await
                .unwrap();
            let plan: Vec<String> = rows.iter().map(|row| row.get(0)).collect();
            let plan = plan.join("\n");
            assert!(
                plan.contains("Bitmap Index Scan on idx_search_entries_document"),
                "{plan}"
            );
            sqlx::query("RESET enable_seqscan")
                .execute(&mut *conn)
                .await
                .unwrap();
        }
    }
}
