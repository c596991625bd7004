//! An enterprise's hazard-report reward policy (隐患报告奖励制度) and the amounts it yields.
//!
//! Money is integer fen (1 元 = 100 fen), never floats. Months are calendar months in China
//! Standard Time (Asia/Shanghai, a fixed UTC+08:00 since 1991, so no time-zone database is
//! needed): an instant at 2026-11-30 17:00 UTC belongs to December.
//!
//! **No staff-visible amount depends on a reporter's other rewards.** A proposal is the level's
//! standard and an adjustment is bounded by the standard alone, so neither can tell a manager
//! that two reports came from one worker. The monthly cap is applied only when a payment is
//! recorded, to what was already *paid* to the same reporter that month, as a hold of the whole
//! reward until a later month — never a cut, so no answer names the room left. And the cap must
//! hold at least [`CAP_MAJOR_REWARDS`] major rewards, so no two or three rewards of one worker
//! can ever be held: a hold can only happen to a reporter with more rewards than that in a
//! month.
use chrono::{Datelike, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::domain::ledger_sheet::beijing_date;

/// Largest amount any policy field may hold: 1 000 000 元. Far above any real reward, low enough
/// that sums of a month's rewards cannot overflow.
pub const MAX_FEN: i64 = 100_000_000;

/// How serious a hazard is, as triage classified it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HazardLevel {
    /// 一般隐患.
    General,
    /// 重大隐患.
    Major,
}

impl HazardLevel {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::General => "general",
            Self::Major => "major",
        }
    }

    /// Parses a stored or typed name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "general" => Some(Self::General),
            "major" => Some(Self::Major),
            _ => None,
        }
    }

    /// The Chinese word used in ledgers.
    pub fn zh(self) -> &'static str {
        match self {
            Self::General => "一般",
            Self::Major => "重大",
        }
    }
}

/// The reward standards of one enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RewardPolicy {
    /// Reward for a general hazard.
    pub general_fen: i64,
    /// Reward for a major hazard.
    pub major_fen: i64,
    /// Rewards strictly above this need a principal's approval.
    pub principal_threshold_fen: i64,
    /// Most one reporter may be proposed per calendar month (China Standard Time).
    pub monthly_cap_fen: i64,
    /// Whether a duplicate report of an already rewarded hazard is rewarded too.
    pub duplicates_share: bool,
}

/// The monthly cap must hold at least this many major rewards (see the module docs).
pub const CAP_MAJOR_REWARDS: i64 = 3;

/// What kind of refusal a [`PolicyError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyErrorKind {
    /// A value out of range or inconsistent (400 `validation_failed`).
    Invalid,
    /// The cap is below [`CAP_MAJOR_REWARDS`] major rewards (422 `reward_cap_too_low`).
    CapTooLow,
}

/// Why a policy or an amount was refused: the field and a bilingual message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    /// Which refusal.
    pub kind: PolicyErrorKind,
    /// Offending field.
    pub field: &'static str,
    /// Chinese message.
    pub zh: String,
    /// English message.
    pub en: String,
}

fn err(field: &'static str, zh: String, en: String) -> PolicyError {
    PolicyError {
        kind: PolicyErrorKind::Invalid,
        field,
        zh,
        en,
    }
}

impl RewardPolicy {
    /// What an enterprise gets until its principal sets a policy: 200 元 for a general hazard,
    /// 2 000 元 for a major one, a principal approves above 1 000 元, at most 6 000 元 (three
    /// major rewards) paid to one reporter per month, duplicates share nothing.
    pub const DEFAULT: RewardPolicy = RewardPolicy {
        general_fen: 20_000,
        major_fen: 200_000,
        principal_threshold_fen: 100_000,
        monthly_cap_fen: 600_000,
        duplicates_share: false,
    };

    /// Checks a policy: every amount in 0‥=[`MAX_FEN`], a positive cap, a major hazard worth
    /// at least a general one (a scheme that pays less for the graver hazard is a typo), and a
    /// cap of at least [`CAP_MAJOR_REWARDS`] major rewards.
    pub fn parse(self) -> Result<Self, PolicyError> {
        for (field, v) in [
            ("general_fen", self.general_fen),
            ("major_fen", self.major_fen),
            ("principal_threshold_fen", self.principal_threshold_fen),
            ("monthly_cap_fen", self.monthly_cap_fen),
        ] {
            if !(0..=MAX_FEN).contains(&v) {
                return Err(err(
                    field,
                    format!("{field} 应在 0 到 {MAX_FEN} 分之间"),
                    format!("{field} must be between 0 and {MAX_FEN} fen"),
                ));
            }
        }
        if self.monthly_cap_fen == 0 {
            return Err(err(
                "monthly_cap_fen",
                "每月上限必须大于 0".into(),
                "monthly_cap_fen must be greater than 0".into(),
            ));
        }
        if self.major_fen < self.general_fen {
            return Err(err(
                "major_fen",
                "重大隐患奖励不得低于一般隐患奖励".into(),
                "major_fen must not be less than general_fen".into(),
            ));
        }
        let least = CAP_MAJOR_REWARDS * self.major_fen;
        if self.monthly_cap_fen < least {
            return Err(PolicyError {
                kind: PolicyErrorKind::CapTooLow,
                field: "monthly_cap_fen",
                zh: format!(
                    "每月上限应至少为 {CAP_MAJOR_REWARDS} 笔重大隐患奖励（{least} 分），否则上限会暴露同一举报人的多份报告"
                ),
                en: format!(
                    "monthly_cap_fen must be at least {CAP_MAJOR_REWARDS} major rewards ({least} fen); a lower cap would show staff that several reports came from one reporter"
                ),
            });
        }
        Ok(self)
    }

    /// The standard amount for a level.
    pub fn standard(&self, level: HazardLevel) -> i64 {
        match level {
            HazardLevel::General => self.general_fen,
            HazardLevel::Major => self.major_fen,
        }
    }

    /// The proposed amount: the level's standard, whatever else the reporter was given.
    pub fn proposal(&self, level: HazardLevel) -> i64 {
        self.standard(level)
    }

    /// Checks a manager's adjustment: a positive amount no more than the level's standard. The
    /// bound and its message come from the policy alone, never from the reporter's other
    /// rewards.
    pub fn check_adjustment(
        &self,
        level: HazardLevel,
        amount_fen: i64,
    ) -> Result<i64, PolicyError> {
        let most = self.standard(level);
        if amount_fen < 1 || amount_fen > most {
            return Err(err(
                "amount_fen",
                format!("调整后的金额应在 1 到 {most} 分之间（该等级的奖励标准）"),
                format!(
                    "amount_fen must be between 1 and {most} fen (the policy's standard for the level)"
                ),
            ));
        }
        Ok(amount_fen)
    }

    /// Whether a payment of `amount_fen` fits under the monthly cap when the same reporter was
    /// already paid `paid_this_month`. When it does not, the whole reward waits for a later
    /// month ([`next_month`]); it is never cut, so no answer reveals the room left.
    pub fn payment_fits(&self, paid_this_month: i64, amount_fen: i64) -> bool {
        paid_this_month.saturating_add(amount_fen) <= self.monthly_cap_fen
    }

    /// Whether a reward of this amount needs a principal to approve it.
    pub fn needs_principal(&self, amount_fen: i64) -> bool {
        amount_fen > self.principal_threshold_fen
    }
}

/// The calendar month (`YYYY-MM`, China Standard Time) a UTC instant falls in.
pub fn cap_month(at_utc: NaiveDateTime) -> String {
    beijing_date(at_utc).format("%Y-%m").to_string()
}

/// The month after a UTC instant's month (`YYYY-MM`, China Standard Time): when a held payment
/// may be tried again.
pub fn next_month(at_utc: NaiveDateTime) -> String {
    let (start, end) = month_bounds(at_utc);
    debug_assert!(start < end);
    cap_month(end)
}

/// The UTC instants where the China Standard Time month of `at_utc` starts (inclusive) and ends
/// (exclusive).
pub fn month_bounds(at_utc: NaiveDateTime) -> (NaiveDateTime, NaiveDateTime) {
    let d = beijing_date(at_utc);
    let first = d.with_day(1).unwrap_or(d);
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(chrono::NaiveDate::MAX);
    let utc =
        |day: chrono::NaiveDate| day.and_time(chrono::NaiveTime::MIN) - chrono::Duration::hours(8);
    (utc(first), utc(next))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    #[test]
    fn the_default_policy_is_valid() {
        assert_eq!(RewardPolicy::DEFAULT.parse(), Ok(RewardPolicy::DEFAULT));
    }

    #[test]
    fn bad_policies_name_the_field() {
        let d = RewardPolicy::DEFAULT;
        let cases = [
            (
                RewardPolicy {
                    general_fen: -1,
                    ..d
                },
                "general_fen",
            ),
            (
                RewardPolicy {
                    major_fen: MAX_FEN + 1,
                    ..d
                },
                "major_fen",
            ),
            (
                RewardPolicy {
                    principal_threshold_fen: -5,
                    ..d
                },
                "principal_threshold_fen",
            ),
            (
                RewardPolicy {
                    monthly_cap_fen: 0,
                    ..d
                },
                "monthly_cap_fen",
            ),
            (
                RewardPolicy {
                    general_fen: 300_000,
                    ..d
                },
                "major_fen",
            ),
            (
                RewardPolicy {
                    monthly_cap_fen: 1,
                    ..d
                },
                "monthly_cap_fen",
            ),
        ];
        for (p, field) in cases {
            assert_eq!(p.parse().unwrap_err().field, field, "{p:?}");
        }
        assert!(
            RewardPolicy {
                general_fen: 0,
                major_fen: 0,
                ..d
            }
            .parse()
            .is_ok()
        );
    }

    #[test]
    fn proposals_and_adjustments_depend_on_the_policy_alone() {
        let p = RewardPolicy::DEFAULT;
        assert_eq!(p.proposal(HazardLevel::General), 20_000);
        assert_eq!(p.proposal(HazardLevel::Major), 200_000);
        assert_eq!(p.check_adjustment(HazardLevel::General, 15_000), Ok(15_000));
        assert_eq!(p.check_adjustment(HazardLevel::Major, 200_000), Ok(200_000));
        for bad in [0, -1, 20_001] {
            let e = p.check_adjustment(HazardLevel::General, bad).unwrap_err();
            assert_eq!((e.kind, e.field), (PolicyErrorKind::Invalid, "amount_fen"));
            assert!(e.en.contains("20000"), "{}", e.en);
        }
    }

    #[test]
    fn the_cap_holds_at_least_three_major_rewards() {
        let d = RewardPolicy::DEFAULT;
        let low = RewardPolicy {
            monthly_cap_fen: 3 * d.major_fen - 1,
            ..d
        };
        let e = low.parse().unwrap_err();
        assert_eq!(
            (e.kind, e.field),
            (PolicyErrorKind::CapTooLow, "monthly_cap_fen")
        );
        let exact = RewardPolicy {
            monthly_cap_fen: 3 * d.major_fen,
            ..d
        };
        assert!(exact.parse().is_ok());
    }

    #[test]
    fn payments_fit_under_the_cap_or_wait_whole() {
        let p = RewardPolicy::DEFAULT;
        assert!(p.payment_fits(0, 200_000));
        assert!(p.payment_fits(400_000, 200_000));
        assert!(!p.payment_fits(400_001, 200_000));
        assert!(!p.payment_fits(i64::MAX, 1));
    }

    #[test]
    fn month_bounds_are_china_standard_time() {
        let (a, b) = month_bounds(at(2026, 12, 15, 3));
        assert_eq!((a, b), (at(2026, 11, 30, 16), at(2026, 12, 31, 16)));
        assert_eq!(next_month(at(2026, 12, 15, 3)), "2027-01");
        assert_eq!(next_month(at(2026, 11, 30, 16)), "2027-01");
        assert_eq!(next_month(at(2026, 11, 30, 15)), "2026-12");
    }

    #[test]
    fn the_threshold_is_strict() {
        let p = RewardPolicy::DEFAULT;
        assert!(!p.needs_principal(100_000));
        assert!(p.needs_principal(100_001));
    }

    #[test]
    fn months_are_counted_in_china_standard_time() {
        assert_eq!(cap_month(at(2026, 11, 30, 15)), "2026-11");
        assert_eq!(cap_month(at(2026, 11, 30, 16)), "2026-12");
        assert_eq!(cap_month(at(2026, 12, 31, 16)), "2027-01");
    }

    #[test]
    fn levels_round_trip() {
        for l in [HazardLevel::General, HazardLevel::Major] {
            assert_eq!(HazardLevel::parse(l.as_str()), Some(l));
        }
        assert_eq!(HazardLevel::parse("minor"), None);
    }
}
