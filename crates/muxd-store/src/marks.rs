//! SQL fragments the writes the host app hears of share.

/// `$param`, the event type the host app's endpoints will hear, when any endpoint is enabled;
/// else NULL, so with nobody to tell the outbox has nothing to do (the check is in the statement,
/// so an endpoint another instance just added is seen).
macro_rules! outbound_mark {
    ($param:literal) => {
        concat!(
            "CASE WHEN EXISTS (SELECT 1 FROM webhook_endpoints WHERE NOT disabled) THEN ",
            $param,
            " END"
        )
    };
}
pub(super) use outbound_mark;
