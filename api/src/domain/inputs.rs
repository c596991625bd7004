//! Parse, don't validate: request fields become these types through a `parse` that explains
//! what is wrong. Once a service holds one, it is valid.

use crate::error::AppError;

fn bounded(field: &str, raw: &str, min: usize, max: usize) -> Result<String, AppError> {
    let v = raw.trim();
    let n = v.chars().count();
    if n < min || n > max {
        return Err(AppError::invalid(
            field,
            format!("{field} 的长度应在 {min} 到 {max} 个字符之间"),
            format!("{field} must be {min} to {max} characters long"),
        ));
    }
    if v.chars().any(char::is_control) {
        return Err(AppError::invalid(
            field,
            format!("{field} 含有控制字符"),
            format!("{field} contains control characters"),
        ));
    }
    Ok(v.to_owned())
}

/// A login name: 3–64 characters of letters, digits, `.`, `_`, `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    /// Validates and lower-cases a username.
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let v = bounded("username", raw, 3, 64)?.to_ascii_lowercase();
        if !v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            return Err(AppError::invalid(
                "username",
                "用户名只能包含字母、数字和 . _ -",
                "username may contain only letters, digits and . _ -",
            ));
        }
        Ok(Self(v))
    }

    /// The normalised name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: 10–128 characters. Its `Debug` prints nothing.
#[derive(Clone)]
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(..)")
    }
}

impl NewPassword {
    /// Checks the length (not trimmed: spaces are part of a passphrase).
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let n = raw.chars().count();
        if !(10..=128).contains(&n) {
            return Err(AppError::invalid(
                "password",
                "密码长度应在 10 到 128 个字符之间",
                "password must be 10 to 128 characters long",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The password, for hashing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A short human text such as a name: trimmed, 1..=max characters, no control characters.
pub fn text(field: &str, raw: &str, max: usize) -> Result<String, AppError> {
    bounded(field, raw, 1, max)
}

/// An optional short text: empty becomes `None`.
pub fn optional_text(
    field: &str,
    raw: Option<&str>,
    max: usize,
) -> Result<Option<String>, AppError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => bounded(field, v, 1, max).map(Some),
    }
}

/// A jurisdiction path such as `jiangbei/chengguan`: segments of letters, digits, `-`, `_` or CJK.
pub fn jurisdiction(raw: &str) -> Result<String, AppError> {
    let v = bounded("jurisdiction", raw, 1, 128)?;
    let ok = v.split('/').all(|seg| {
        !seg.is_empty()
            && seg
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    });
    if !ok {
        return Err(AppError::invalid(
            "jurisdiction",
            "辖区应为以 / 分隔的名称，例如 jiangbei/chengguan",
            "jurisdiction must be a /-separated path such as jiangbei/chengguan",
        ));
    }
    Ok(v)
}

/// A mainland mobile or landline number: digits, optional leading `+`, spaces and dashes removed.
pub fn phone(raw: &str) -> Result<String, AppError> {
    let v: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect();
    let digits = v.strip_prefix('+').unwrap_or(&v);
    if digits.len() < 5 || digits.len() > 20 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::invalid(
            "phone",
            "电话号码格式不正确",
            "phone must be 5 to 20 digits",
        ));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_normalised_and_checked() {
        assert_eq!(
            Username::parse(" Zhang.San ").unwrap().as_str(),
            "zhang.san"
        );
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("张三").is_err());
        assert!(Username::parse("a b c").is_err());
    }

    #[test]
    fn password_debug_hides_it() {
        let p = NewPassword::parse("correct horse battery").unwrap();
        assert!(!format!("{p:?}").contains("horse"));
        assert!(NewPassword::parse("short").is_err());
    }

    #[test]
    fn jurisdictions_are_paths() {
        assert!(jurisdiction("jiangbei/chengguan").is_ok());
        assert!(jurisdiction("江北区/城关街道").is_ok());
        assert!(jurisdiction("a//b").is_err());
        assert!(jurisdiction("a/").is_err());
    }

    #[test]
    fn texts_reject_control_characters_and_bounds() {
        assert!(text("name", "  ", 10).is_err());
        assert!(text("name", "a\u{0}b", 10).is_err());
        assert_eq!(text("name", " 炼钢车间 ", 10).unwrap(), "炼钢车间");
        assert_eq!(optional_text("x", Some(" "), 5).unwrap(), None);
    }

    #[test]
    fn phones_keep_digits() {
        assert_eq!(phone("138-0000 1234").unwrap(), "13800001234");
        assert!(phone("call me").is_err());
    }
}
