//! In-memory rate limits (per process). They hold no identifiers in the database and forget keys
//! that go quiet.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// A keyed limiter allowing `per_minute` events per key per minute (with that burst).
pub struct KeyedLimit<K: Hash + Eq + Clone> {
    inner: DefaultKeyedRateLimiter<K>,
}

impl<K: Hash + Eq + Clone> std::fmt::Debug for KeyedLimit<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyedLimit")
    }
}

impl<K: Hash + Eq + Clone> KeyedLimit<K> {
    /// A limiter with the given budget per minute (at least 1).
    pub fn per_minute(per_minute: u32) -> Self {
        let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        Self {
            inner: RateLimiter::keyed(Quota::per_minute(n)),
        }
    }

    /// Spends one unit of the key's budget; `false` when it is exhausted.
    pub fn allow(&self, key: &K) -> bool {
        let ok = self.inner.check_key(key).is_ok();
        if self.inner.len() > 100_000 {
            self.inner.retain_recent();
        }
        ok
    }
}

/// Login attempts, limited per account and per client address, whether or not the account
/// exists (so the limit itself does not reveal which usernames are real).
#[derive(Debug)]
pub struct LoginLimits {
    per_account: KeyedLimit<String>,
    per_client: KeyedLimit<IpAddr>,
}

impl LoginLimits {
    /// Limits per minute.
    pub fn new(per_account: u32, per_client: u32) -> Self {
        Self {
            per_account: KeyedLimit::per_minute(per_account),
            per_client: KeyedLimit::per_minute(per_client),
        }
    }

    /// Spends one attempt for the username and the client; `false` if either is exhausted.
    pub fn allow(&self, username: &str, client: Option<IpAddr>) -> bool {
        let account_ok = self.per_account.allow(&username.to_owned());
        let client_ok = client.is_none_or(|ip| self.per_client.allow(&ip));
        account_ok && client_ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_account_has_its_own_budget() {
        let l = LoginLimits::new(2, 100);
        assert!(l.allow("a", None));
        assert!(l.allow("a", None));
        assert!(!l.allow("a", None));
        assert!(l.allow("b", None));
    }

    #[test]
    fn a_client_is_limited_across_accounts() {
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let l = LoginLimits::new(100, 3);
        for name in ["a", "b", "c"] {
            assert!(l.allow(name, Some(ip)));
        }
        assert!(!l.allow("d", Some(ip)));
    }
}

/// Limits on the phone side's unauthenticated routes, per client address, in memory only:
/// nothing about an anonymous sender is written anywhere.
#[derive(Debug)]
pub struct PhoneLimits {
    receipt_lookups: KeyedLimit<IpAddr>,
    anonymous_submissions: KeyedLimit<IpAddr>,
}

impl PhoneLimits {
    /// Budgets per minute.
    pub fn new(receipt_lookups: u32, anonymous_submissions: u32) -> Self {
        Self {
            receipt_lookups: KeyedLimit::per_minute(receipt_lookups),
            anonymous_submissions: KeyedLimit::per_minute(anonymous_submissions),
        }
    }

    /// Spends one receipt lookup (or receipt message) for the client.
    pub fn allow_receipt_lookup(&self, client: Option<IpAddr>) -> bool {
        client.is_none_or(|ip| self.receipt_lookups.allow(&ip))
    }

    /// Spends one anonymous submission for the client.
    pub fn allow_anonymous_submission(&self, client: Option<IpAddr>) -> bool {
        client.is_none_or(|ip| self.anonymous_submissions.allow(&ip))
    }
}
