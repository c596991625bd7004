//! Keyset pagination over `(created_at, id)`: stable under inserts, and each page costs the same
//! however deep the client scrolls.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDateTime;
use diesel::expression::BoxableExpression;
use diesel::sql_types::{Bool, Text, Timestamp};

use crate::error::AppError;

/// Default and maximum page sizes.
pub const DEFAULT_LIMIT: i64 = 50;
/// Largest page a client may ask for.
pub const MAX_LIMIT: i64 = 200;

/// A position in a list ordered by `(created_at, id)` descending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// Timestamp of the last row of the previous page.
    pub created_at: NaiveDateTime,
    /// Id of the last row of the previous page.
    pub id: String,
}

impl Cursor {
    /// Opaque text for the client.
    pub fn encode(&self) -> String {
        let raw = format!(
            "{}|{}",
            self.created_at.and_utc().timestamp_micros(),
            self.id
        );
        URL_SAFE_NO_PAD.encode(raw)
    }

    /// Parses a client's cursor; anything malformed is a 400.
    pub fn decode(text: &str) -> Result<Self, AppError> {
        let bad = || AppError::invalid("cursor", "分页游标无效", "cursor is not valid");
        let raw = URL_SAFE_NO_PAD.decode(text).map_err(|_| bad())?;
        let raw = String::from_utf8(raw).map_err(|_| bad())?;
        let (micros, id) = raw.split_once('|').ok_or_else(bad)?;
        let micros: i64 = micros.parse().map_err(|_| bad())?;
        let created_at = chrono::DateTime::from_timestamp_micros(micros)
            .ok_or_else(bad)?
            .naive_utc();
        if id.is_empty() || id.len() > 64 {
            return Err(bad());
        }
        Ok(Self {
            created_at,
            id: id.to_owned(),
        })
    }
}

/// Validated `cursor` and `limit` query parameters.
#[derive(Debug, Clone)]
pub struct PageRequest {
    /// Where to continue, if anywhere.
    pub after: Option<Cursor>,
    /// How many rows to return.
    pub limit: i64,
}

impl PageRequest {
    /// Parses the raw query values.
    pub fn parse(cursor: Option<&str>, limit: Option<i64>) -> Result<Self, AppError> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(AppError::invalid(
                "limit",
                format!("limit 应在 1 到 {MAX_LIMIT} 之间"),
                format!("limit must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let after = cursor
            .filter(|c| !c.is_empty())
            .map(Cursor::decode)
            .transpose()?;
        Ok(Self { after, limit })
    }

    /// Splits a fetched `limit + 1` rows into the page and the next cursor.
    pub fn finish<T>(
        &self,
        mut rows: Vec<T>,
        key: impl Fn(&T) -> Cursor,
    ) -> (Vec<T>, Option<String>) {
        let more = rows.len() as i64 > self.limit;
        rows.truncate(self.limit as usize);
        let next = if more {
            rows.last().map(|r| key(r).encode())
        } else {
            None
        };
        (rows, next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let c = Cursor {
            created_at: crate::store::time::now(),
            id: "abc".into(),
        };
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        assert!(Cursor::decode("!!").is_err());
        assert!(Cursor::decode(&URL_SAFE_NO_PAD.encode("x|y")).is_err());
    }

    #[test]
    fn limits_are_bounded() {
        assert!(PageRequest::parse(None, Some(0)).is_err());
        assert!(PageRequest::parse(None, Some(201)).is_err());
        assert_eq!(PageRequest::parse(None, None).unwrap().limit, DEFAULT_LIMIT);
    }
}

/// Which side of a cursor a page continues on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Older rows (newest-first lists).
    Before,
    /// Newer rows (oldest-first exports).
    After,
}

/// The rows of `table` strictly beyond `c` in `(created_at, id)` order, as the row-value
/// comparison `(table.created_at, table.id) < (?, ?)` (or `>`), for a boxed query over any
/// source that includes `table`.
///
/// Why a row value rather than `created_at < ? OR (created_at = ? AND id < ?)`: with bound
/// parameters the bundled SQLite (3.53) does not seek on the OR form — it walks the index from
/// the newest row down to the cursor, 1.4 s for a page 500 000 rows deep in a million, which
/// made a streamed export quadratic — while the row value is one index seek on SQLite and an
/// index condition on PostgreSQL (0.2 ms at the same depth).
pub fn beyond<QS: 'static>(
    table: &'static str,
    side: Side,
    c: &Cursor,
) -> Box<dyn BoxableExpression<QS, super::conn::Backend, SqlType = Bool>> {
    let op = match side {
        Side::Before => "<",
        Side::After => ">",
    };
    Box::new(
        diesel::dsl::sql::<Bool>(&format!("({table}.created_at, {table}.id) {op} ("))
            .bind::<Timestamp, _>(c.created_at)
            .sql(", ")
            .bind::<Text, _>(c.id.clone())
            .sql(")"),
    )
}
