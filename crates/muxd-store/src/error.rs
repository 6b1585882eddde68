//! What can go wrong in the store, and whether it means "the database is unavailable" (so a
//! caller answers 503 and is retried) or something else (a bug, bad data).

/// A failed database operation. [`StoreError::is_unavailable`] tells a caller (e.g. the webhook
/// handler) that the database could not be reached, so it can answer 503 and let Mux retry.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
}

/// The result type of every store operation.
pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// The error with its causes, for logs and the admin's event log (never shown to users).
    pub fn detail(&self) -> String {
        let mut text = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(inner) = cause {
            text.push_str(": ");
            text.push_str(&inner.to_string());
            cause = inner.source();
        }
        text
    }

    /// True when the database itself is unreachable or overloaded, not when a query was wrong.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Database(
                sqlx::Error::Io(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::Tls(_)
                | sqlx::Error::Protocol(_)
                | sqlx::Error::WorkerCrashed,
            ) => true,
            StoreError::Database(sqlx::Error::Database(e)) => {
                e.code().is_some_and(|code| unavailable_code(&code))
            }
            _ => false,
        }
    }
}

/// PostgreSQL's connection (08), resource (53) and operator-intervention (57) classes, a
/// serialization failure or deadlock (40001, 40P01: retrying succeeds), and
/// SQLite's "busy"/"locked" (primary codes 5 and 6, with their extended codes such as 517 and
/// 262): the server is there but cannot serve us now. A PostgreSQL SQLSTATE has five
/// characters; a SQLite code is a number below 10,000.
fn unavailable_code(code: &str) -> bool {
    if code.len() == 5 {
        return code.starts_with("08")
            || code.starts_with("53")
            || code.starts_with("57")
            || code == "40001"
            || code == "40P01";
    }
    code.parse::<i64>()
        .is_ok_and(|sqlite| matches!(sqlite & 0xff, 5 | 6))
}

#[cfg(test)]
mod tests {
    use super::unavailable_code;

    #[test]
    fn busy_locked_and_connection_classes_are_unavailable() {
        for code in [
            "5", "6", "517", "262", "08006", "53300", "57P01", "40001", "40P01",
        ] {
            assert!(unavailable_code(code), "{code}");
        }
        for code in ["19", "2067", "23505", "42P01"] {
            assert!(!unavailable_code(code), "{code}");
        }
    }
}
