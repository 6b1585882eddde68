//! Decoding helpers shared by the store modules: typed ids and enums out of `AnyRow` text
//! columns, with a clear error when stored data does not parse.

use std::str::FromStr;

use sqlx::any::AnyRow;
use sqlx::Row;

use super::{StoreError, StoreResult};

/// Reads a non-null text column and parses it.
pub fn parse<T: FromStr>(row: &AnyRow, column: &str) -> StoreResult<T> {
    let text: String = row.try_get(column)?;
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("{column} = {text:?}")))
}

/// Reads a nullable text column and parses it when present.
pub fn parse_opt<T: FromStr>(row: &AnyRow, column: &str) -> StoreResult<Option<T>> {
    let text: Option<String> = row.try_get(column)?;
    text.map(|t| {
        t.parse()
            .map_err(|_| StoreError::Corrupt(format!("{column} = {t:?}")))
    })
    .transpose()
}
