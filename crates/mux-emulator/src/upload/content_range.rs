//! Parsing the `Content-Range` header of a chunk PUT (docs/mux-facts.md §3.2).
//!
//! UpChunk sends `bytes <start>-<end>/<total>` with `end` inclusive. GCS-style resumable uploads
//! also allow `bytes */<total>` to ask how much has arrived; we accept that form too.

/// A parsed `Content-Range` request header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentRange {
    /// `bytes s-e/total`: this chunk holds bytes `s..=e` of a `total`-byte file.
    Chunk { start: u64, end: u64, total: u64 },
    /// `bytes */total`: a status query, no bytes.
    Query { total: u64 },
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("malformed Content-Range header {0:?}: expected \"bytes <start>-<end>/<total>\"")]
pub struct ContentRangeError(pub String);

impl ContentRange {
    pub fn parse(header: &str) -> Result<Self, ContentRangeError> {
        let err = || ContentRangeError(header.to_owned());
        let rest = header.trim().strip_prefix("bytes ").ok_or_else(err)?;
        let (range, total) = rest.split_once('/').ok_or_else(err)?;
        let total: u64 = total.parse().map_err(|_| err())?;
        if range == "*" {
            return Ok(Self::Query { total });
        }
        let (start, end) = range.split_once('-').ok_or_else(err)?;
        let start: u64 = start.parse().map_err(|_| err())?;
        let end: u64 = end.parse().map_err(|_| err())?;
        if end < start || end >= total {
            return Err(err());
        }
        Ok(Self::Chunk { start, end, total })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_upchunk_chunks() {
        assert_eq!(
            ContentRange::parse("bytes 0-262143/1000000"),
            Ok(ContentRange::Chunk {
                start: 0,
                end: 262_143,
                total: 1_000_000
            })
        );
        assert_eq!(
            ContentRange::parse("bytes 999999-999999/1000000"),
            Ok(ContentRange::Chunk {
                start: 999_999,
                end: 999_999,
                total: 1_000_000
            })
        );
        assert_eq!(
            ContentRange::parse("bytes */42"),
            Ok(ContentRange::Query { total: 42 })
        );
    }

    #[test]
    fn rejects_malformed_ranges() {
        for bad in [
            "",
            "bytes",
            "bytes 0-9",
            "items 0-9/10",
            "bytes 5-4/10",
            "bytes 0-10/10",
            "bytes -1-3/10",
            "bytes a-b/c",
            "bytes 0-9/*",
        ] {
            assert!(
                ContentRange::parse(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
    }
}
