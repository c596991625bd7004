//! An enterprise's hazard-report reward policy (隐患报告奖励制度) and the amounts it yields.
//!
//! Money is integer fen (1 元 = 100 fen), never floats. The monthly cap counts the rewards of one
//! reporter (by blind index) proposed in the same calendar month in China Standard Time
//! (Asia/Shanghai, a fixed UTC+08:00 since 1991, so no time-zone database is needed): a reward
//! proposed at 2026-11-30 17:00 UTC belongs to December.

use chrono::NaiveDateTime;
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

/// Why a policy or an amount was refused: the field and a bilingual message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    /// Offending field.
    pub field: &'static str,
    /// Chinese message.
    pub zh: String,
    /// English message.
    pub en: String,
}

fn err(field: &'static str, zh: String, en: String) -> PolicyError {
    PolicyError { field, zh, en }
}

impl RewardPolicy {
    /// What an enterprise gets until its principal sets a policy: 200 元 for a general hazard,
    /// 2 000 元 for a major one, a principal approves above 1 000 元, at most 5 000 元 per
    /// reporter per month, duplicates share nothing.
    pub const DEFAULT: RewardPolicy = RewardPolicy {
        general_fen: 20_000,
        major_fen: 200_000,
        principal_threshold_fen: 100_000,
        monthly_cap_fen: 500_000,
        duplicates_share: false,
    };

    /// Checks a policy: every amount in 0‥=[`MAX_FEN`], a positive cap, and a major hazard worth
    /// at least a general one (a scheme that pays less for the graver hazard is a typo).
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
        Ok(self)
    }

    /// The standard amount for a level.
    pub fn standard(&self, level: HazardLevel) -> i64 {
        match level {
            HazardLevel::General => self.general_fen,
            HazardLevel::Major => self.major_fen,
        }
    }

    /// Room left under the cap when the reporter's other rewards this month total `used`.
    pub fn cap_room(&self, used: i64) -> i64 {
        (self.monthly_cap_fen - used).max(0)
    }

    /// The proposed amount: the standard, cut to what the cap leaves (possibly 0). Reporters we
    /// cannot link across reports (anonymous) have no cap: pass `None`.
    pub fn proposal(&self, level: HazardLevel, used_this_month: Option<i64>) -> i64 {
        let standard = self.standard(level);
        match used_this_month {
            Some(used) => standard.min(self.cap_room(used)),
            None => standard,
        }
    }

    /// Checks a manager's adjustment: a positive amount no more than the level's standard and
    /// than the cap leaves (`used_by_others` = the reporter's other rewards this month).
    pub fn check_adjustment(
        &self,
        level: HazardLevel,
        amount_fen: i64,
        used_by_others: Option<i64>,
    ) -> Result<i64, PolicyError> {
        let most = self.proposal(level, used_by_others);
        if amount_fen < 1 || amount_fen > most {
            return Err(err(
                "amount_fen",
                format!("调整后的金额应在 1 到 {most} 分之间（奖励标准和每月上限）"),
                format!(
                    "amount_fen must be between 1 and {most} fen (the policy's standard and monthly cap)"
                ),
            ));
        }
        Ok(amount_fen)
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
    fn proposals_follow_the_level_and_stop_at_the_cap() {
        let p = RewardPolicy {
            monthly_cap_fen: 250_000,
            ..RewardPolicy::DEFAULT
        };
        assert_eq!(p.proposal(HazardLevel::General, Some(0)), 20_000);
        assert_eq!(p.proposal(HazardLevel::Major, Some(0)), 200_000);
        assert_eq!(p.proposal(HazardLevel::Major, Some(200_000)), 50_000);
        assert_eq!(p.proposal(HazardLevel::General, Some(250_000)), 0);
        assert_eq!(p.proposal(HazardLevel::General, Some(999_999)), 0);
        assert_eq!(p.proposal(HazardLevel::Major, None), 200_000);
    }

    #[test]
    fn adjustments_stay_within_standard_and_cap() {
        let p = RewardPolicy::DEFAULT;
        assert_eq!(
            p.check_adjustment(HazardLevel::General, 15_000, Some(0)),
            Ok(15_000)
        );
        assert_eq!(
            p.check_adjustment(HazardLevel::General, 20_000, None),
            Ok(20_000)
        );
        for bad in [0, -1, 20_001] {
            assert!(
                p.check_adjustment(HazardLevel::General, bad, Some(0))
                    .is_err(),
                "{bad}"
            );
        }
        assert!(
            p.check_adjustment(HazardLevel::Major, 200_000, Some(400_000))
                .is_err()
        );
        assert_eq!(
            p.check_adjustment(HazardLevel::Major, 100_000, Some(400_000)),
            Ok(100_000)
        );
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
