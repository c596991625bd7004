//! Notification rules, pure: which channel settings are valid, how they are masked for display,
//! when a reminder is due, when the daily digest is due (Beijing time), and how a message is
//! written for a group robot (markdown) and for e-mail (plain text).
//!
//! What a message may carry is decided where it is built (`services::notifications`): titles,
//! areas, counts and links, never a reporter and never a report's description.

use chrono::{Duration, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Timelike};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, ErrorCode};

/// Most e-mail addresses one enterprise or jurisdiction may set.
pub const MAX_EMAILS: usize = 10;
/// Longest robot URL accepted.
pub const MAX_URL_LEN: usize = 2000;
/// Longest DingTalk signing secret accepted.
pub const MAX_SECRET_LEN: usize = 200;

/// The three channels, by their stored names.
pub const WECOM: &str = "wecom";
/// DingTalk group robot.
pub const DINGTALK: &str = "dingtalk";
/// E-mail.
pub const EMAIL: &str = "email";

/// Valid channel settings of one owner, as sealed at rest.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelSettings {
    /// WeCom group robot URL (its `key` is in the query string).
    pub wecom_webhook: Option<String>,
    /// DingTalk group robot URL (its `access_token` is in the query string).
    pub dingtalk_webhook: Option<String>,
    /// DingTalk "加签" secret that signs each message.
    pub dingtalk_secret: Option<String>,
    /// E-mail addresses, lower-cased, without duplicates.
    pub emails: Vec<String>,
}

impl std::fmt::Debug for ChannelSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URLs and the secret are credentials: never printed.
        f.debug_struct("ChannelSettings")
            .field("channels", &self.channel_names())
            .finish_non_exhaustive()
    }
}

impl ChannelSettings {
    /// Validates what an admin or principal typed. Empty strings mean "not set".
    pub fn parse(
        wecom_webhook: Option<String>,
        dingtalk_webhook: Option<String>,
        dingtalk_secret: Option<String>,
        emails: Option<Vec<String>>,
    ) -> Result<Self, AppError> {
        let blank = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let wecom_webhook = blank(wecom_webhook)
            .map(|u| robot_url("wecom_webhook", &u))
            .transpose()?;
        let dingtalk_webhook = blank(dingtalk_webhook)
            .map(|u| robot_url("dingtalk_webhook", &u))
            .transpose()?;
        let dingtalk_secret = blank(dingtalk_secret);
        if let Some(s) = &dingtalk_secret
            && (s.len() > MAX_SECRET_LEN || s.chars().any(|c| c.is_whitespace() || c.is_control()))
        {
            return Err(AppError::invalid(
                "dingtalk_secret",
                "钉钉加签密钥格式不正确",
                "the DingTalk signing secret is not valid",
            ));
        }
        if dingtalk_webhook.is_some() != dingtalk_secret.is_some() {
            return Err(AppError::invalid(
                "dingtalk_secret",
                "钉钉机器人地址与加签密钥须同时填写",
                "a DingTalk robot needs both its URL and its signing secret",
            ));
        }
        let mut list: Vec<String> = Vec::new();
        for raw in emails.unwrap_or_default() {
            let e = raw.trim().to_lowercase();
            if e.is_empty() {
                continue;
            }
            if !is_email(&e) {
                return Err(AppError::new(ErrorCode::NotificationEmailInvalid)
                    .detail(
                        format!("邮箱地址格式不正确：{}", clip(&e, 80)),
                        format!("not a valid e-mail address: {}", clip(&e, 80)),
                    )
                    .field("emails"));
            }
            if !list.contains(&e) {
                list.push(e);
            }
        }
        if list.len() > MAX_EMAILS {
            return Err(AppError::new(ErrorCode::NotificationTooMany)
                .detail(
                    format!("最多填写 {MAX_EMAILS} 个通知邮箱"),
                    format!("at most {MAX_EMAILS} notification e-mail addresses"),
                )
                .field("emails"));
        }
        Ok(Self {
            wecom_webhook,
            dingtalk_webhook,
            dingtalk_secret,
            emails: list,
        })
    }

    /// Names of the channels set, in a fixed order.
    pub fn channel_names(&self) -> Vec<&'static str> {
        let mut names = Vec::new();
        if self.wecom_webhook.is_some() {
            names.push(WECOM);
        }
        if self.dingtalk_webhook.is_some() {
            names.push(DINGTALK);
        }
        if !self.emails.is_empty() {
            names.push(EMAIL);
        }
        names
    }
}

fn clip(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// A robot URL: https://, or http:// to a loopback host (a receiver on this machine).
fn robot_url(field: &str, raw: &str) -> Result<String, AppError> {
    let refuse = |zh: &str, en: &str| {
        AppError::new(ErrorCode::NotificationUrlInvalid)
            .detail(zh.to_owned(), en.to_owned())
            .field(field)
    };
    if raw.len() > MAX_URL_LEN {
        return Err(refuse("地址过长", "the URL is too long"));
    }
    let url = url::Url::parse(raw).map_err(|_| refuse("不是有效的网址", "not a valid URL"))?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match url.scheme() {
        "https" if url.host().is_some() => {}
        "http" if loopback => {}
        "http" => {
            return Err(refuse(
                "须使用 https:// 地址（http:// 仅限本机）",
                "the URL must be https:// (http:// only for loopback)",
            ));
        }
        _ => return Err(refuse("须使用 https:// 地址", "the URL must be https://")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse(
            "地址中不能含用户名或密码",
            "the URL must not carry a user or password",
        ));
    }
    Ok(url.to_string())
}

/// E-mail syntax as far as it matters for delivery: one `@`, a local part of printable ASCII
/// without spaces, and a domain of dot-separated labels.
pub fn is_email(e: &str) -> bool {
    if e.len() > 254 {
        return false;
    }
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    local_ok && domain_ok
}

/// A URL for display: every query value and any user info replaced by `****` after its first
/// four characters, because robot URLs carry their access key in the query string.
pub fn mask_url(raw: &str) -> String {
    let Ok(mut url) = url::Url::parse(raw) else {
        return "****".to_owned();
    };
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), mask_secret(&v)))
        .collect();
    if pairs.is_empty() {
        url.set_query(None);
    } else {
        let q = pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        url.set_query(Some(&q));
    }
    let _ = url.set_username("");
    let _ = url.set_password(None);
    // `set_query` percent-encodes the asterisks' neighbours but not `*` itself.
    url.to_string()
}

/// A secret for display: its first four characters (when it is long enough for that to say
/// little) and `****`.
pub fn mask_secret(s: &str) -> String {
    if s.chars().count() >= 16 {
        format!("{}****", clip(s, 4))
    } else {
        "****".to_owned()
    }
}

/// Which reminder of a deadline is due at `now` for a clock that started at `start` and ends at
/// `deadline`: `Some(Stage::Past)` once it passed, `Some(Stage::Near)` from 75 % of the way.
pub fn reminder_stage(
    start: NaiveDateTime,
    deadline: NaiveDateTime,
    now: NaiveDateTime,
) -> Option<Stage> {
    if now >= deadline {
        return Some(Stage::Past);
    }
    let span = deadline - start;
    let near = start + Duration::milliseconds(span.num_milliseconds() * 3 / 4);
    (now >= near).then_some(Stage::Near)
}

/// A reminder's stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// 75 % of the time is gone.
    Near,
    /// The deadline passed.
    Past,
}

impl Stage {
    /// Suffix of the mark's kind.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Near => "near",
            Self::Past => "past",
        }
    }
}

/// Beijing time (UTC+8, no daylight saving).
pub fn beijing() -> FixedOffset {
    // 8 h is within the ±24 h FixedOffset accepts; UTC is only the type's required fallback.
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| chrono::Offset::fix(&chrono::Utc))
}

/// The Beijing date whose digest is due at `now` (UTC), once the Beijing hour has reached
/// `hour`; `None` earlier in the day.
pub fn digest_date(now: NaiveDateTime, hour: u32) -> Option<NaiveDate> {
    let local = beijing().from_utc_datetime(&now);
    (local.hour() >= hour).then(|| local.date_naive())
}

/// The end of a plan's deadline date: the date has passed at the following UTC midnight, as the
/// escalation sweeper reads it, so a reminder and an escalation agree.
pub fn deadline_end(date: &str) -> Option<NaiveDateTime> {
    let d = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    d.succ_opt()?.and_hms_opt(0, 0, 0)
}

/// One message to the people who must act.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The heading, e.g. `新的隐患报告`.
    pub title: String,
    /// Lines of facts, each `label：value`.
    pub lines: Vec<String>,
    /// Where to act, a path under the public URL (`/console/reports/ID`).
    pub link: String,
}

impl Message {
    /// A message; `lines` are built with [`fact`].
    pub fn new(title: &str, lines: Vec<String>, link: String) -> Self {
        Self {
            title: title.to_owned(),
            lines,
            link,
        }
    }

    /// Markdown for a WeCom or DingTalk group robot.
    pub fn markdown(&self, public_url: &str) -> String {
        let mut out = format!("### {}\n\n", markdown_escape(&self.title));
        for l in &self.lines {
            out.push_str(&format!("> {}\n\n", markdown_escape(l)));
        }
        out.push_str(&format!("[在控制台处理]({}{})", public_url, self.link));
        out
    }

    /// Plain text for e-mail.
    pub fn plain(&self, public_url: &str) -> String {
        let mut out = format!("{}\n\n", self.title);
        for l in &self.lines {
            out.push_str(l);
            out.push('\n');
        }
        out.push_str(&format!(
            "\n在控制台处理：{}{}\n\n——清零 隐患报告系统（本邮件由系统发送，请勿回复）\n",
            public_url, self.link
        ));
        out
    }
}

/// A fact line, `label：value`, with the value on one line and at most 60 characters.
pub fn fact(label: &str, value: &str) -> String {
    let one_line: String = value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let trimmed = one_line.trim();
    let clipped = clip(trimmed, 60);
    let ellipsis = if trimmed.chars().count() > 60 {
        "…"
    } else {
        ""
    };
    format!("{label}：{clipped}{ellipsis}")
}

/// Text a person wrote, made inert in robot markdown: no links, images, headings, emphasis,
/// code or HTML. (List markers such as `-` matter only at the start of a line, and every line
/// this module writes starts with its own `>` or `###`.)
pub fn markdown_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\`*_[]()#<>|~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(
        w: Option<&str>,
        d: Option<&str>,
        s: Option<&str>,
        e: &[&str],
    ) -> Result<ChannelSettings, AppError> {
        ChannelSettings::parse(
            w.map(Into::into),
            d.map(Into::into),
            s.map(Into::into),
            Some(e.iter().map(|x| (*x).to_owned()).collect()),
        )
    }

    #[test]
    fn urls_must_be_https_except_loopback() {
        assert!(
            parse(
                Some("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x"),
                None,
                None,
                &[]
            )
            .is_ok()
        );
        assert!(parse(Some("http://127.0.0.1:9/hook?key=x"), None, None, &[]).is_ok());
        assert!(parse(Some("http://localhost:9/hook"), None, None, &[]).is_ok());
        for bad in [
            "http://example.com/x",
            "ftp://example.com/",
            "not a url",
            "https://u:p@example.com/",
        ] {
            let e = parse(Some(bad), None, None, &[]).unwrap_err();
            assert_eq!(e.code, ErrorCode::NotificationUrlInvalid, "{bad}");
        }
    }

    #[test]
    fn dingtalk_needs_url_and_secret_together() {
        assert!(
            parse(
                None,
                Some("https://oapi.dingtalk.com/robot/send?access_token=t"),
                None,
                &[]
            )
            .is_err()
        );
        assert!(parse(None, None, Some("SECabc"), &[]).is_err());
        assert!(
            parse(
                None,
                Some("https://oapi.dingtalk.com/robot/send?access_token=t"),
                Some("SECabc"),
                &[]
            )
            .is_ok()
        );
    }

    #[test]
    fn emails_are_checked_deduplicated_and_capped() {
        let s = parse(None, None, None, &["A@Example.com", "a@example.com", " "]).unwrap();
        assert_eq!(s.emails, vec!["a@example.com"]);
        for bad in ["a", "a@b", "a b@c.cn", "@c.cn", "a@-c.cn", "a..b@c.cn"] {
            assert_eq!(
                parse(None, None, None, &[bad]).unwrap_err().code,
                ErrorCode::NotificationEmailInvalid,
                "{bad}"
            );
        }
        let many: Vec<String> = (0..=MAX_EMAILS)
            .map(|i| format!("u{i}@example.com"))
            .collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(
            parse(None, None, None, &refs).unwrap_err().code,
            ErrorCode::NotificationTooMany
        );
    }

    #[test]
    fn masking_hides_query_values() {
        let m = mask_url("https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123");
        assert_eq!(
            m,
            "https://oapi.dingtalk.com/robot/send?access_token=0123****"
        );
        assert!(!mask_url("https://h.cn/x?key=short").contains("short"));
        assert_eq!(mask_secret("SECabc"), "****");
    }

    #[test]
    fn reminders_at_three_quarters_and_past() {
        let t = |s: i64| NaiveDateTime::default() + Duration::seconds(s);
        assert_eq!(reminder_stage(t(0), t(100), t(74)), None);
        assert_eq!(reminder_stage(t(0), t(100), t(75)), Some(Stage::Near));
        assert_eq!(reminder_stage(t(0), t(100), t(100)), Some(Stage::Past));
    }

    #[test]
    fn digest_follows_beijing_hours() {
        let utc = |h| {
            NaiveDate::from_ymd_opt(2026, 1, 1)
                .unwrap()
                .and_hms_opt(h, 0, 0)
                .unwrap()
        };
        // 23:00 UTC is 07:00 the next day in Beijing.
        assert_eq!(digest_date(utc(23), 8), None);
        assert_eq!(digest_date(utc(0), 8), NaiveDate::from_ymd_opt(2026, 1, 1));
        assert_eq!(digest_date(utc(23), 7), NaiveDate::from_ymd_opt(2026, 1, 2));
    }

    #[test]
    fn markdown_of_a_title_is_inert() {
        let m = Message::new(
            "新的隐患报告",
            vec![fact("标题", "[点我](http://evil)\n# x")],
            "/console/reports/1".into(),
        );
        let md = m.markdown("https://q.cn");
        assert!(md.contains("\\[点我\\]\\(http://evil\\)"));
        assert!(!md.contains("\n# x"));
        assert!(md.ends_with("[在控制台处理](https://q.cn/console/reports/1)"));
    }
}
