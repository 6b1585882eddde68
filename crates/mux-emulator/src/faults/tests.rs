//! The fault engine is deterministic for a seed, honours rates and `times`.

use super::*;

fn flaky(rate: f64, times: Option<u32>) -> FaultConfig {
    FaultConfig {
        api: vec![ApiFaultRule {
            method: None,
            path: "**".into(),
            rate,
            times,
            action: ApiFaultAction::Error {
                status: 503,
                retry_after_s: None,
            },
        }],
        webhooks: WebhookFaults {
            drop_rate: 0.3,
            ..Default::default()
        },
    }
}

fn outcomes(seed: u64) -> Vec<bool> {
    let engine = FaultEngine::new(flaky(0.5, None), seed);
    (0..200)
        .map(|_| engine.decide_api("GET", "/video/v1/assets").error.is_some())
        .chain((0..50).map(|_| engine.decide_webhook().drop))
        .collect()
}

#[test]
fn same_seed_same_faults() {
    assert_eq!(outcomes(7), outcomes(7));
    assert_ne!(outcomes(7), outcomes(8), "different seeds should differ");
}

#[test]
fn rate_is_roughly_honoured() {
    let hits = outcomes(42)[..200].iter().filter(|h| **h).count();
    assert!((60..=140).contains(&hits), "{hits} of 200 at rate 0.5");
}

#[test]
fn times_limits_the_number_of_hits() {
    let engine = FaultEngine::new(flaky(1.0, Some(2)), 1);
    let hits = (0..10)
        .filter(|_| {
            engine
                .decide_api("POST", "/video/v1/uploads")
                .error
                .is_some()
        })
        .count();
    assert_eq!(hits, 2);
}

#[test]
fn control_paths_are_matched_only_by_explicit_rules() {
    let engine = FaultEngine::new(FaultConfig::default(), 1);
    assert_eq!(
        engine.decide_api("GET", "/video/v1/assets"),
        ApiDecision::default()
    );
}
