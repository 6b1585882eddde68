//! THE table of settings: each setting's variable, default, meaning and what a valid value looks
//! like, stated once. Parsing reads through these entries (so a default is never written twice),
//! [`SETTINGS`] is the documented list, and README's configuration table is [`markdown_table`]
//! (a test keeps the two equal).

/// One setting.
#[derive(Debug)]
pub struct Setting {
    /// The environment variable.
    pub name: &'static str,
    /// The value used when unset ("" for none).
    pub default: &'static str,
    /// How the docs describe the default when it is not a plain value (e.g. "required by `serve`").
    pub shown_default: Option<&'static str>,
    /// What it does.
    pub meaning: &'static str,
    /// What a valid value looks like, for the fix of a malformed one (or how to get a required one).
    pub expected: &'static str,
}

macro_rules! settings {
    ($($id:ident: $name:literal, $default:literal, $shown:expr, $meaning:literal, $expected:literal;)*) => {
        $(
            #[doc = $meaning]
            pub const $id: Setting = Setting {
                name: $name,
                default: $default,
                shown_default: $shown,
                meaning: $meaning,
                expected: $expected,
            };
        )*
        /// Every setting, in documentation order.
        pub const SETTINGS: &[&Setting] = &[$(&$id),*];
    };
}

settings! {
    DATABASE_URL: "DATABASE_URL", "sqlite://muxd.db", None,
        "`sqlite://PATH` (created if missing) or `postgres://USER[:PASSWORD]@HOST[:PORT]/DB`",
        "DATABASE_URL=sqlite://muxd.db (embedded) or DATABASE_URL=postgres://USER@HOST:5432/DB";
    MUX_TOKEN_ID: "MUX_TOKEN_ID", "", Some("required by `serve`"),
        "Mux access token id",
        "create an access token at dashboard.mux.com → Settings → Access Tokens and set MUX_TOKEN_ID";
    MUX_TOKEN_SECRET: "MUX_TOKEN_SECRET", "", Some("required by `serve`"),
        "Mux access token secret",
        "set MUX_TOKEN_SECRET to the secret shown once when the access token was created";
    MUX_WEBHOOK_SIGNING_SECRET: "MUX_WEBHOOK_SIGNING_SECRET", "", Some("required by `serve`"),
        "webhook signing secret; comma-separated `old,new` while rotating",
        "copy the signing secret from dashboard.mux.com → Settings → Webhooks and set MUX_WEBHOOK_SIGNING_SECRET (comma-separate old,new while rotating)";
    MUX_BASE_URL: "MUX_BASE_URL", "https://api.mux.com", None,
        "Mux API base URL (the emulator's URL for local work)",
        "an http(s) URL: unset it for real Mux, or the emulator's URL, e.g. http://127.0.0.1:3017";
    MUXD_LISTEN: "MUXD_LISTEN", "127.0.0.1:3000", None,
        "HTTP listen address",
        "an address like 127.0.0.1:3000 or 0.0.0.0:8080";
    MUXD_WEBHOOK_TOLERANCE_SECS: "MUXD_WEBHOOK_TOLERANCE_SECS", "300", None,
        "accepted webhook timestamp skew, either way",
        "a whole number of seconds, e.g. 300";
    MUXD_WEBHOOK_MAX_BODY_BYTES: "MUXD_WEBHOOK_MAX_BODY_BYTES", "1048576", None,
        "largest webhook body accepted (larger: 413)",
        "a whole number of bytes, e.g. 1048576";
    MUXD_WEBHOOK_RETENTION_DAYS: "MUXD_WEBHOOK_RETENTION_DAYS", "7", None,
        "how long received webhook events are kept",
        "a whole number of days, at least 1 (Mux retries for 24 h)";
    MUXD_HISTORY_RETENTION_DAYS: "MUXD_HISTORY_RETENTION_DAYS", "90", None,
        "how long each asset's history (its recorded changes) is kept (0: forever); changes the host app has not been sent yet are kept",
        "a whole number of days, e.g. 90 (0 keeps history forever)";
    MUXD_OUTBOUND_RETENTION_DAYS: "MUXD_OUTBOUND_RETENTION_DAYS", "30", None,
        "how long outbound webhook messages, their deliveries and attempts are kept once finished (0: forever); undelivered ones are kept",
        "a whole number of days, e.g. 30 (0 keeps them forever)";
    MUXD_SHUTDOWN_GRACE_SECS: "MUXD_SHUTDOWN_GRACE_SECS", "10", None,
        "the most a shutdown (SIGTERM, Ctrl-C) takes: requests in flight and jobs get this long to finish, then muxd exits anyway",
        "a whole number of seconds, at least 1, e.g. 10 (keep it under the orchestrator's grace period)";
    MUXD_LOG_FORMAT: "MUXD_LOG_FORMAT", "", Some("`json` for serve, else `pretty`"),
        "log output; level from `RUST_LOG`",
        "json or pretty";
    MUXD_JWT_JWKS_FILE: "MUXD_JWT_JWKS_FILE", "", Some("one JWT key required by `serve`"),
        "JWKS of RS256 bearer tokens (e.g. saved from Clerk)",
        "the path of a JWKS file";
    MUXD_JWT_JWKS_URL: "MUXD_JWT_JWKS_URL", "", None,
        "JWKS URL of RS256 bearer tokens (e.g. https://YOUR-APP.clerk.accounts.dev/.well-known/jwks.json); https (plain http only to localhost, 127.0.0.0/8 or ::1); held for the `max-age` its answer gives (1 s to an hour; an hour without one), so a key the provider revokes stops verifying, and fetched again when a token names a key it does not hold",
        "an https URL, e.g. https://YOUR-APP.clerk.accounts.dev/.well-known/jwks.json (http only to localhost, 127.0.0.0/8 or [::1])";
    MUXD_JWT_PUBLIC_KEY_FILE: "MUXD_JWT_PUBLIC_KEY_FILE", "", None,
        "PEM RSA public key of RS256 bearer tokens",
        "the path of a PEM file";
    MUXD_JWT_HS256_SECRET: "MUXD_JWT_HS256_SECRET", "", None,
        "shared secret of HS256 bearer tokens, at least 32 bytes (e.g. `openssl rand -hex 32`)",
        "set MUXD_JWT_JWKS_URL or MUXD_JWT_JWKS_FILE (your identity provider's JWKS), MUXD_JWT_PUBLIC_KEY_FILE (RS256 PEM) or MUXD_JWT_HS256_SECRET";
    MUXD_JWT_ISSUER: "MUXD_JWT_ISSUER", "", Some("required by `serve`"),
        "the `iss` bearer tokens must carry (`*`: any issuer, warned about at start-up and by `muxd doctor`)",
        "set MUXD_JWT_ISSUER to the issuer your identity provider puts in `iss` (Clerk: https://YOUR-APP.clerk.accounts.dev), or to * to accept any";
    MUXD_JWT_AUDIENCE: "MUXD_JWT_AUDIENCE", "", Some("required by `serve`"),
        "the `aud` bearer tokens must carry (`*`: any audience, warned about at start-up and by `muxd doctor`)",
        "set MUXD_JWT_AUDIENCE to the audience your identity provider puts in `aud` for muxd (Clerk: add an `aud` claim to the session token), or to * to accept any";
    MUXD_ADMIN_IDS: "MUXD_ADMIN_IDS", "", None,
        "comma-separated external ids that are admins",
        "comma-separated external user ids";
    MUXD_ADMIN_CLAIM: "MUXD_ADMIN_CLAIM", "", None,
        "a token claim that also makes an admin, as `name=value` (e.g. `role=admin`: a `role` claim equal to `admin` or a list holding it); unset, no claim does",
        "set MUXD_ADMIN_CLAIM to name=value, e.g. role=admin, or unset it";
    MUXD_SESSION_COOKIE: "MUXD_SESSION_COOKIE", "", None,
        "the host app's cookie holding its session token (e.g. Clerk's `__session`), accepted like a bearer token when muxd is on the same site",
        "a cookie name, e.g. __session";
    MUXD_CORS_ORIGINS: "MUXD_CORS_ORIGINS", "", None,
        "comma-separated origins whose pages may call muxd's API from the browser (with credentials); also the only `azp` (authorized party) a bearer token may name, when it names one; none by default",
        "origins such as https://app.example.com,https://admin.example.com";
    MUXD_WEBHOOK_ALLOW_PRIVATE_URLS: "MUXD_WEBHOOK_ALLOW_PRIVATE_URLS", "false", None,
        "whether outbound webhook endpoints may be private, loopback or link-local addresses (refused by default, against request forgery)",
        "true or false";
    MUXD_WEBHOOK_RETRY_SCHEDULE: "MUXD_WEBHOOK_RETRY_SCHEDULE", "5s,30s,2m,10m,30m,1h,2h,4h,8h,8h", None,
        "the waits between attempts of an outbound webhook that failed (about a day); when they are spent the delivery has failed",
        "comma-separated waits such as 5s,30s,2m,1h (units ms, s, m, h)";
    MUXD_UPLOAD_CORS_ORIGIN: "MUXD_UPLOAD_CORS_ORIGIN", "*", None,
        "the direct upload's `cors_origin`: your app's origin",
        "an origin such as https://app.example.com";
    MUXD_PLAYBACK_POLICY: "MUXD_PLAYBACK_POLICY", "public", None,
        "`public` or `signed`",
        "public or signed";
    MUXD_STREAM_BASE_URL: "MUXD_STREAM_BASE_URL", "https://stream.mux.com", None,
        "where playback URLs point",
        "an http(s) URL";
    MUXD_MP4_RENDITIONS: "MUXD_MP4_RENDITIONS", "false", None,
        "whether uploads ask Mux for an MP4 static rendition (`highest`, which Mux stores at a cost) so pages play it with a plain `<video>`; off, pages play HLS with Mux Player",
        "true or false";
    MUXD_VIDEO_QUALITY: "MUXD_VIDEO_QUALITY", "basic", None,
        "the `video_quality` every create asks Mux for unless its campaign sets another (`basic` costs least; `plus`, `premium`)",
        "basic, plus or premium";
    MUXD_MAX_RESOLUTION_TIER: "MUXD_MAX_RESOLUTION_TIER", "1080p", None,
        "the `max_resolution_tier` every create asks Mux for unless its campaign sets another (`2160p` for 4K, at a higher cost)",
        "1080p, 1440p or 2160p";
    MUXD_CAPTIONS: "MUXD_CAPTIONS", "off", None,
        "the language Mux generates captions in for every create unless its campaign or the upload says otherwise (`off`, or a code such as `en`, `es`, `de`, `fr`: see docs/mux-facts.md §10)",
        "off or a language code Mux generates captions in: en, es, it, pt, de, fr, pl, ru, nl, ca, tr, sv, uk, no, fi, sk, el, cs, hr, da, ro or bg";
    MUXD_PUBLIC_URL: "MUXD_PUBLIC_URL", "", None,
        "the address Mux reaches this muxd at (e.g. `https://muxd.example.com`), to fetch caption files owners supply; unset, supplied captions are refused",
        "an http(s) URL such as https://muxd.example.com";
    MUXD_INPUT_ALLOW_PRIVATE_URLS: "MUXD_INPUT_ALLOW_PRIVATE_URLS", "false", None,
        "whether a video may be created from a link to a private, loopback or link-local address (refused by default, against request forgery; `muxd dev` and the tests set it)",
        "true or false";
    MUXD_PLAYER: "MUXD_PLAYER", "mux-player", None,
        "how pages play a video without an MP4: `mux-player` (Mux Player, one pinned version loaded from jsDelivr with its integrity hash) or `video` (a plain `<video>` of the HLS URL, as `muxd dev` does with the emulator)",
        "mux-player or video";
    MUXD_IMAGE_BASE_URL: "MUXD_IMAGE_BASE_URL", "https://image.mux.com", None,
        "where thumbnail (poster) URLs point",
        "an http(s) URL";
    MUX_SIGNING_KEY_ID: "MUX_SIGNING_KEY_ID", "", Some("required by `serve` for signed playback"),
        "the URL signing key muxd signs playback tokens with (Mux: Settings → Signing keys, or `POST /system/v1/signing-keys`)",
        "set MUX_SIGNING_KEY_ID to the id of a URL signing key (and MUX_SIGNING_PRIVATE_KEY to its private key)";
    MUX_SIGNING_PRIVATE_KEY: "MUX_SIGNING_PRIVATE_KEY", "", Some("required by `serve` for signed playback"),
        "that key's private key, as Mux returned it (base64 of a PEM; a PEM text is taken too)",
        "set MUX_SIGNING_PRIVATE_KEY to the private_key Mux returned when the signing key was created";
    MUXD_MAX_UPLOAD_BYTES: "MUXD_MAX_UPLOAD_BYTES", "10737418240", None,
        "largest file size a client may announce",
        "a whole number of bytes";
    MUXD_UPLOAD_TYPES: "MUXD_UPLOAD_TYPES", "video/*,audio/*", None,
        "file types a client may announce, comma-separated (`type/*` for a whole kind); a file whose type is unknown is left to Mux",
        "MIME types such as video/mp4,video/quicktime or video/*";
    MUXD_MAX_DURATION_SECS: "MUXD_MAX_DURATION_SECS", "0", None,
        "longest video kept, in seconds: a longer one ends in error, saying why, and is deleted on Mux (0: no limit)",
        "a whole number of seconds, e.g. 600 (0 turns the limit off)";
    MUXD_UPLOADS_PER_USER_PER_CAMPAIGN: "MUXD_UPLOADS_PER_USER_PER_CAMPAIGN", "0", None,
        "videos one user may have in one campaign (deleted ones do not count; 0: no limit)",
        "a whole number, e.g. 10 (0 turns the quota off)";
    MUXD_UPLOAD_POOL_SIZE: "MUXD_UPLOAD_POOL_SIZE", "4", None,
        "spare direct uploads always kept ready so bursts of users get URLs at once (0: no pool)",
        "a whole number of spare uploads, e.g. 4 (0 turns the pool off)";
    MUXD_UPLOAD_POOL_MAX: "MUXD_UPLOAD_POOL_MAX", "32", None,
        "most spare uploads the pool grows to when a day's bursts ask for them (the most users creating within 10 s)",
        "a whole number of spare uploads, e.g. 32";
    MUXD_UPLOADS_PER_USER_PER_MINUTE: "MUXD_UPLOADS_PER_USER_PER_MINUTE", "30", None,
        "uploads one user may create in any 60 s, counted in the database so the limit holds across instances (0: no limit); more get 429",
        "a whole number, e.g. 30 (0 turns the limit off)";
    MUXD_EDITS_PER_USER_PER_MINUTE: "MUXD_EDITS_PER_USER_PER_MINUTE", "60", None,
        "edits (`PATCH /api/creative-assets/{id}`) one user may make per minute, in bursts up to that many, per instance (0: no limit); more get 429",
        "a whole number, e.g. 60 (0 turns the limit off)";
    MUXD_LIVE_STREAMS_PER_USER: "MUXD_LIVE_STREAMS_PER_USER", "8", None,
        "`/api/live` streams one user may hold open on one instance (one per open page); more get 429",
        "a whole number, at least 1, e.g. 8";
    MUXD_LIVE_STREAMS_PER_INSTANCE: "MUXD_LIVE_STREAMS_PER_INSTANCE", "10000", None,
        "`/api/live` streams one instance holds open at most, all users together; more get 429",
        "a whole number, at least 1, e.g. 10000";
    MUXD_RECONCILE_GRACE_SECS: "MUXD_RECONCILE_GRACE_SECS", "60", None,
        "an in-flight asset with no webhook for this long is polled on Mux; a create interrupted before its upload id was stored is looked up after twice this",
        "a whole number of seconds, at least 1, e.g. 60";
    MUXD_ALERT_WEBHOOK_URL: "MUXD_ALERT_WEBHOOK_URL", "", None,
        "Slack-compatible webhook told of circuit breaker changes",
        "an https URL";
    OTEL_EXPORTER_OTLP_ENDPOINT: "OTEL_EXPORTER_OTLP_ENDPOINT", "", None,
        "OTLP/HTTP endpoint traces are sent to (unset: no traces); the other standard `OTEL_*` variables apply",
        "an http(s) URL, e.g. http://localhost:4318";
}

/// README's configuration table, rendered from [`SETTINGS`].
pub fn markdown_table() -> String {
    let mut table = String::from("| variable | default | meaning |\n|---|---|---|\n");
    for setting in SETTINGS {
        let default = match (setting.shown_default, setting.default) {
            (Some(shown), _) => shown.to_owned(),
            (None, "") => String::new(),
            (None, value) => format!("`{value}`"),
        };
        table.push_str(&format!(
            "| `{}` | {default} | {} |\n",
            setting.name, setting.meaning
        ));
    }
    table
}
