//! Typed values out of text columns (ids, statuses, outcomes), with a clear error naming the
//! column when stored data does not parse.

use std::str::FromStr;

use super::{StoreError, StoreResult};

/// Parses a non-null text column.
pub fn parse<T: FromStr>(column: &str, text: &str) -> StoreResult<T> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("{column} = {text:?}")))
}

/// Parses a nullable text column when present.
pub fn parse_opt<T: FromStr>(column: &str, text: Option<&str>) -> StoreResult<Option<T>> {
    text.map(|t| parse(column, t)).transpose()
}
