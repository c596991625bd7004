//! Major-hazard criteria (判定标准) and hazard levels: a hazard tagged with any criterion of the
//! catalog is major, whatever level was chosen (DESIGN.md). Catalog codes are
//! `MEM10-<article>-<item>` (MEM order no. 10, 2023); admins add enterprise-specific codes with
//! any other prefix.

use serde::{Deserialize, Serialize};

/// A hazard's level on the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 一般隐患.
    General,
    /// 重大隐患.
    Major,
}

impl Level {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::General => "general",
            Self::Major => "major",
        }
    }

    /// Chinese name, for the ledger export.
    pub fn zh(self) -> &'static str {
        match self {
            Self::General => "一般",
            Self::Major => "重大",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "general" => Some(Self::General),
            "major" => Some(Self::Major),
            _ => None,
        }
    }
}

/// The level a hazard gets: major if tagged with any criterion, else the chosen level (general
/// when none was chosen).
pub fn effective_level<S: AsRef<str>>(chosen: Option<Level>, criteria: &[S]) -> Level {
    if criteria.is_empty() {
        chosen.unwrap_or(Level::General)
    } else {
        Level::Major
    }
}

/// The reserved prefix of the catalog that ships with Qingling.
pub const CATALOG_PREFIX: &str = "MEM10-";

/// The `(article, item)` of a catalog code such as `MEM10-4-2`; `None` for anything else.
pub fn catalog_ref(code: &str) -> Option<(u32, u32)> {
    let rest = code.strip_prefix(CATALOG_PREFIX)?;
    let (a, i) = rest.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(a) || !digits(i) {
        return None;
    }
    Some((a.parse().ok()?, i.parse().ok()?))
}

/// Whether `code` is acceptable for an enterprise-specific criterion: 3–32 characters of
/// upper-case letters, digits and `-`, starting with a letter, and not in the reserved catalog
/// namespace.
pub fn is_valid_custom_code(code: &str) -> bool {
    (3..=32).contains(&code.len())
        && code.starts_with(|c: char| c.is_ascii_uppercase())
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
        && !code.starts_with(CATALOG_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_criterion_makes_a_hazard_major() {
        let none: [&str; 0] = [];
        assert_eq!(effective_level(None, &none), Level::General);
        assert_eq!(effective_level(Some(Level::General), &none), Level::General);
        assert_eq!(effective_level(Some(Level::Major), &none), Level::Major);
        assert_eq!(
            effective_level(Some(Level::General), &["MEM10-4-2"]),
            Level::Major
        );
        assert_eq!(effective_level(None, &["X-1"]), Level::Major);
    }

    #[test]
    fn catalog_codes_name_article_and_item() {
        assert_eq!(catalog_ref("MEM10-4-2"), Some((4, 2)));
        assert_eq!(catalog_ref("MEM10-14-1"), Some((14, 1)));
        for bad in [
            "MEM10-4",
            "MEM10-4-",
            "MEM10--2",
            "MEM10-a-2",
            "MEM9-4-2",
            "MEM10-4-2-1",
        ] {
            assert_eq!(catalog_ref(bad), None, "{bad}");
        }
    }

    #[test]
    fn custom_codes_stay_out_of_the_catalog_namespace() {
        assert!(is_valid_custom_code("JG-01"));
        assert!(!is_valid_custom_code("MEM10-4-99"));
        assert!(!is_valid_custom_code("jg-01"));
        assert!(!is_valid_custom_code("1JG"));
        assert!(!is_valid_custom_code("JG"));
        assert!(!is_valid_custom_code("JG 01"));
    }

    #[test]
    fn levels_round_trip() {
        for l in [Level::General, Level::Major] {
            assert_eq!(Level::parse(l.as_str()), Some(l));
        }
        assert_eq!(Level::parse("minor"), None);
    }
}
