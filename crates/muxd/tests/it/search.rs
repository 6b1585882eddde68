//! Transcript search on SQLite and PostgreSQL: what it finds (every term in one transcript, a
//! name or a description) and ranks first, that it keeps to the asset list's access rules, that
//! the index follows re-indexing, edits and deleted rows, and that a query cannot speak
//! full-text syntax (that the full-text index is what is read: `search_plan.rs`).

use muxd_domain::captions::Cue;
use muxd_domain::ExternalUserId;
use muxd_domain::{AssetId, CampaignId, UserId};
use muxd_store::asset_list::AssetFilter;
use muxd_store::{NewAsset, Role, SearchHit, Store};

use muxd_testkit::databases::{count, exec, store_test};

/// A new asset of `owner`'s in `campaign`, handed its upload URL (so owners see it).
pub async fn asset(
    store: &Store,
    owner: UserId,
    campaign: Option<CampaignId>,
    name: &str,
) -> AssetId {
    let id = AssetId::new();
    let new = NewAsset {
        id,
        owner_id: owner,
        campaign_id: campaign,
        influencer_id: None,
        name: name.into(),
        description: None,
        file_size: None,
        encoding: None,
    };
    store.insert_asset(&new).await.unwrap();
    store
        .set_upload(id, &format!("up-{id}"), "https://upload.example/u")
        .await
        .unwrap();
    id
}

/// Cues a second apart, starting at `first_ms`.
pub fn cues(first_ms: u64, texts: &[&str]) -> Vec<Cue> {
    texts
        .iter()
        .zip(0u64..)
        .map(|(text, n)| Cue {
            start_ms: first_ms + n * 1000,
            end_ms: first_ms + n * 1000 + 900,
            text: (*text).into(),
        })
        .collect()
}

pub fn of(owner: UserId) -> AssetFilter {
    AssetFilter {
        owner: Some(owner),
        limit: 50,
        ..Default::default()
    }
}

fn ids(hits: &[SearchHit]) -> Vec<AssetId> {
    hits.iter().map(|hit| hit.asset.id).collect()
}

store_test!(phrase_in_a_transcript, super::phrase_in_a_transcript);
async fn phrase_in_a_transcript(store: Store) {
    let user = store
        .upsert_user(&ExternalUserId::parse("user_search_1").unwrap(), Role::User)
        .await
        .unwrap();
    let campaign = store.create_campaign(user.id, "Launch").await.unwrap();
    let (a, b, c) = (
        asset(&store, user.id, Some(campaign.id), "one.mp4").await,
        asset(&store, user.id, Some(campaign.id), "two.mp4").await,
        asset(&store, user.id, Some(campaign.id), "three.mp4").await,
    );
    let said = |texts: &[&str]| cues(10_000, texts);
    store
        .index_transcript(a, "t1", "en", &said(&["Welcome back", "a brown dog barks"]))
        .await
        .unwrap();
    let b_cues = said(&[
        "Hello",
        "the <i>quick</i> fox",
        "a quick brown fox jumps",
        "later, quick and brown again",
    ]);
    store
        .index_transcript(b, "t1", "en", &b_cues)
        .await
        .unwrap();
    store
        .index_transcript(c, "t1", "en", &said(&["quick thinking", "nothing else"]))
        .await
        .unwrap();
    for filter in [
        of(user.id),
        AssetFilter {
            campaign: Some(campaign.id),
            limit: 50,
            ..Default::default()
        },
    ] {
        let hits = store.search_assets(&filter, "Quick BROWN").await.unwrap();
        assert_eq!(ids(&hits), vec![b], "{filter:?}");
        let matches = &hits[0].matches;
        assert_eq!(matches.len(), 2, "{matches:?}");
        assert_eq!(matches[0].start_ms, 12_000);
        assert_eq!(matches[0].text, "a quick brown fox jumps");
        assert_eq!(matches[1].start_ms, 13_000);
    }
    // One word: every asset that says it, each with its own first matching cues.
    let hits = store.search_assets(&of(user.id), "quick").await.unwrap();
    let mut found = ids(&hits);
    found.sort();
    let mut expected = vec![b, c];
    expected.sort();
    assert_eq!(found, expected);
    let b_hit = hits.iter().find(|hit| hit.asset.id == b).unwrap();
    let starts: Vec<u64> = b_hit.matches.iter().map(|m| m.start_ms).collect();
    assert_eq!(
        starts,
        vec![11_000, 12_000, 13_000],
        "at most three, by time"
    );
    assert_eq!(b_hit.matches[0].text, "the quick fox", "plain text");
    // A phrase split across two cues is found, and both halves are shown.
    let hits = store
        .search_assets(&of(user.id), "welcome barks")
        .await
        .unwrap();
    assert_eq!(ids(&hits), vec![a]);
    let starts: Vec<u64> = hits[0].matches.iter().map(|m| m.start_ms).collect();
    assert_eq!(starts, vec![10_000, 11_000]);
    assert!(store
        .search_assets(&of(user.id), "purple")
        .await
        .unwrap()
        .is_empty());
}

store_test!(name_and_description, super::name_and_description);
async fn name_and_description(store: Store) {
    let user = store
        .upsert_user(&ExternalUserId::parse("user_search_2").unwrap(), Role::User)
        .await
        .unwrap();
    let named = asset(&store, user.id, None, "Rooftop party.mp4").await;
    let said = asset(&store, user.id, None, "clip.mp4").await;
    store
        .index_transcript(
            said,
            "t1",
            "en",
            &cues(0, &["we met on the rooftop at night"]),
        )
        .await
        .unwrap();
    let hits = store.search_assets(&of(user.id), "rooftop").await.unwrap();
    assert_eq!(
        ids(&hits),
        vec![named, said],
        "a name match ranks above a cue match"
    );
    assert!(hits[0].matches.is_empty());
    assert_eq!(hits[1].matches.len(), 1);
    // The owner's edits are indexed: the new name and description are found, the old name not.
    store
        .update_details(
            named,
            user.id,
            Some("Garden"),
            Some(Some("Sunset over the bay")),
            None,
        )
        .await
        .unwrap()
        .unwrap();
    let hits = store.search_assets(&of(user.id), "rooftop").await.unwrap();
    assert_eq!(ids(&hits), vec![said]);
    for q in ["garden", "sunset bay"] {
        let hits = store.search_assets(&of(user.id), q).await.unwrap();
        assert_eq!(ids(&hits), vec![named], "{q}");
    }
    store
        .update_details(named, user.id, None, Some(None), None)
        .await
        .unwrap()
        .unwrap();
    assert!(store
        .search_assets(&of(user.id), "sunset")
        .await
        .unwrap()
        .is_empty());
}

store_test!(access_rules, super::access_rules);
async fn access_rules(store: Store) {
    let ada = store
        .upsert_user(
            &ExternalUserId::parse("user_search_ada").unwrap(),
            Role::User,
        )
        .await
        .unwrap();
    let bob = store
        .upsert_user(
            &ExternalUserId::parse("user_search_bob").unwrap(),
            Role::User,
        )
        .await
        .unwrap();
    let spring = store.create_campaign(ada.id, "Spring").await.unwrap();
    let autumn = store.create_campaign(ada.id, "Autumn").await.unwrap();
    let ada_spring = asset(&store, ada.id, Some(spring.id), "a.mp4").await;
    let ada_autumn = asset(&store, ada.id, Some(autumn.id), "b.mp4").await;
    let bobs = asset(&store, bob.id, None, "c.mp4").await;
    let deleted = asset(&store, ada.id, Some(spring.id), "d.mp4").await;
    for id in [ada_spring, ada_autumn, bobs, deleted] {
        store
            .index_transcript(id, "t1", "en", &cues(0, &["secret recipe"]))
            .await
            .unwrap();
    }
    exec(
        &store,
        &format!(
            "UPDATE creative_assets SET mux_processing_status = 'DELETED' WHERE id = '{deleted}'"
        ),
    )
    .await;
    let mut found = ids(&store.search_assets(&of(ada.id), "secret").await.unwrap());
    found.sort();
    let mut expected = vec![ada_spring, ada_autumn];
    expected.sort();
    assert_eq!(
        found, expected,
        "an owner sees neither others' nor deleted assets"
    );
    assert_eq!(
        ids(&store.search_assets(&of(bob.id), "secret").await.unwrap()),
        vec![bobs]
    );
    let spring_only = AssetFilter {
        campaign: Some(spring.id),
        ..of(ada.id)
    };
    assert_eq!(
        ids(&store.search_assets(&spring_only, "recipe").await.unwrap()),
        vec![ada_spring]
    );
    let admin = AssetFilter {
        include_deleted: true,
        include_unsent: true,
        limit: 50,
        ..Default::default()
    };
    assert_eq!(
        store.search_assets(&admin, "secret").await.unwrap().len(),
        4
    );
    let paged = AssetFilter {
        limit: 1,
        offset: 3,
        ..admin.clone()
    };
    assert_eq!(
        store.search_assets(&paged, "secret").await.unwrap().len(),
        1
    );
    // Deleting rows (retention) leaves nothing indexed behind.
    exec(
        &store,
        &format!("DELETE FROM creative_assets WHERE id = '{deleted}'"),
    )
    .await;
    let left = format!("SELECT COUNT(*) FROM search_entries WHERE asset_id = '{deleted}'");
    assert_eq!(count(&store, &left).await, 0);
    assert_eq!(
        store.search_assets(&admin, "secret").await.unwrap().len(),
        3
    );
    if store.backend() == muxd_core::config::Backend::Sqlite {
        let entries = count(&store, "SELECT COUNT(*) FROM search_entries").await;
        assert_eq!(
            count(&store, "SELECT COUNT(*) FROM search_fts").await,
            entries
        );
    }
}

store_test!(reindexing_replaces, super::reindexing_replaces);
async fn reindexing_replaces(store: Store) {
    let user = store
        .upsert_user(&ExternalUserId::parse("user_search_3").unwrap(), Role::User)
        .await
        .unwrap();
    let id = asset(&store, user.id, None, "clip.mp4").await;
    let search = |q: &'static str| {
        let store = store.clone();
        async move { ids(&store.search_assets(&of(user.id), q).await.unwrap()) }
    };
    store
        .index_transcript(id, "en-track", "en", &cues(0, &["alpha words"]))
        .await
        .unwrap();
    store
        .index_transcript(id, "fr-track", "fr", &cues(0, &["gamma mots"]))
        .await
        .unwrap();
    store
        .index_transcript(id, "en-track", "en", &cues(0, &["beta words"]))
        .await
        .unwrap();
    assert!(search("alpha").await.is_empty(), "the old cues are gone");
    assert_eq!(search("beta").await, vec![id]);
    assert_eq!(search("gamma").await, vec![id], "the other track stays");
    store.remove_transcript(id, "fr-track").await.unwrap();
    assert!(search("gamma").await.is_empty());
    assert_eq!(search("beta").await, vec![id]);
    // Cues without text are not indexed (one row per track); an asset that is gone gets
    // nothing indexed.
    store
        .index_transcript(id, "en-track", "en", &cues(0, &["<i></i>", "delta"]))
        .await
        .unwrap();
    let entries = "SELECT COUNT(*) FROM search_entries WHERE track_id = 'en-track'";
    assert_eq!(count(&store, entries).await, 1);
    store
        .index_transcript(AssetId::new(), "x", "en", &cues(0, &["delta"]))
        .await
        .unwrap();
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM search_entries WHERE track_id = 'x'"
        )
        .await,
        0
    );
    // A long transcript is still one row, and its late cues are found.
    let many: Vec<String> = (0..1234).map(|n| format!("line{n}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    store
        .index_transcript(id, "en-track", "en", &cues(0, &many))
        .await
        .unwrap();
    assert_eq!(count(&store, entries).await, 1);
    let hit = store.search_assets(&of(user.id), "line1233").await.unwrap();
    assert_eq!(hit[0].matches[0].start_ms, 1_233_000);
}

store_test!(
    queries_cannot_speak_full_text_syntax,
    super::queries_cannot_speak_full_text_syntax
);
async fn queries_cannot_speak_full_text_syntax(store: Store) {
    let user = store
        .upsert_user(&ExternalUserId::parse("user_search_4").unwrap(), Role::User)
        .await
        .unwrap();
    let other = store
        .upsert_user(&ExternalUserId::parse("user_search_5").unwrap(), Role::User)
        .await
        .unwrap();
    let id = asset(&store, user.id, None, "clip.mp4").await;
    let theirs = asset(&store, other.id, None, "clip.mp4").await;
    for row in [id, theirs] {
        store
            .index_transcript(row, "t1", "en", &cues(0, &["quick brown fox"]))
            .await
            .unwrap();
    }
    let scope_of_other = format!("o{}", other.id.to_string().replace('-', ""));
    for (q, finds) in [
        ("\"quick", true),
        ("quick\" OR \"zebra", false),
        ("qui*", false),
        ("*", false),
        ("NEAR(quick fox)", false),
        ("NEAR(", false),
        ("-zebra quick", false),
        ("-fox", true),
        ("body:quick", false),
        ("scope : quick", false),
        ("quick:fox", true),
        ("(quick) AND {fox}", false),
        ("' ; DROP TABLE search_entries; --", false),
        (scope_of_other.as_str(), false),
        ("", false),
        ("\" * - : ( )", false),
    ] {
        let hits = store.search_assets(&of(user.id), q).await.unwrap();
        let expected = if finds { vec![id] } else { vec![] };
        assert_eq!(ids(&hits), expected, "{q}");
    }
    assert!(count(&store, "SELECT COUNT(*) FROM search_entries").await > 0);
}
