//! The hazard state machine (DESIGN.md, "Life of a report"): registered (上账) → rectifying once a
//! 五落实 plan is set → awaiting verification once evidence is in → closed (销号) when
//! verification passes, or back to rectifying with a reason when it fails.

use super::report_state::Refused;
use super::roles::Role;

/// Where a hazard stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HazardState {
    /// On the ledger, no plan yet.
    Registered,
    /// A plan is set; work under way.
    Rectifying,
    /// Evidence submitted; waiting for someone to check it.
    AwaitingVerification,
    /// Verified and closed (销号).
    Closed,
}

/// What staff can do to a hazard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HazardAction {
    /// Set or revise the 五落实 plan (each time a new version).
    SetPlan,
    /// Submit rectification evidence.
    SubmitEvidence,
    /// Verification passed: close.
    VerifyPassed,
    /// Verification failed; `with_reason` says whether a reason was given (one is required).
    VerifyFailed {
        /// Whether the request carried a non-empty reason.
        with_reason: bool,
    },
}

impl HazardState {
    /// Every state, for exhaustive tests.
    pub const ALL: [HazardState; 4] = [
        Self::Registered,
        Self::Rectifying,
        Self::AwaitingVerification,
        Self::Closed,
    ];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::Rectifying => "rectifying",
            Self::AwaitingVerification => "awaiting_verification",
            Self::Closed => "closed",
        }
    }

    /// Chinese name, for the ledger export.
    pub fn zh(self) -> &'static str {
        match self {
            Self::Registered => "已登记",
            Self::Rectifying => "整改中",
            Self::AwaitingVerification => "待验收",
            Self::Closed => "已销号",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The state after `action` by someone of `role`, or why not. A plan may be revised while
    /// rectifying (a new version) but not once evidence is in or the hazard is closed.
    pub fn apply(self, action: HazardAction, role: Role) -> Result<HazardState, Refused> {
        use HazardAction as A;
        if !role.is_enterprise_staff() {
            return Err(Refused::Role);
        }
        match (self, action) {
            (Self::Registered | Self::Rectifying, A::SetPlan) => Ok(Self::Rectifying),
            (Self::Rectifying, A::SubmitEvidence) => Ok(Self::AwaitingVerification),
            (Self::AwaitingVerification, A::VerifyPassed) => Ok(Self::Closed),
            (Self::AwaitingVerification, A::VerifyFailed { with_reason: false }) => {
                Err(Refused::ReasonRequired)
            }
            (Self::AwaitingVerification, A::VerifyFailed { with_reason: true }) => {
                Ok(Self::Rectifying)
            }
            _ => Err(Refused::State),
        }
    }
}

impl HazardAction {
    /// Every action, for exhaustive tests.
    pub const ALL: [HazardAction; 5] = [
        Self::SetPlan,
        Self::SubmitEvidence,
        Self::VerifyPassed,
        Self::VerifyFailed { with_reason: true },
        Self::VerifyFailed { with_reason: false },
    ];

    /// The timeline event kind this action records.
    pub fn kind(self) -> &'static str {
        match self {
            Self::SetPlan => "plan",
            Self::SubmitEvidence => "evidence",
            Self::VerifyPassed => "verified",
            Self::VerifyFailed { .. } => "verification_failed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expected(s: HazardState, a: HazardAction, role: Role) -> Result<HazardState, Refused> {
        use HazardAction as A;
        use HazardState as S;
        if !matches!(role, Role::SafetyManager | Role::Principal) {
            return Err(Refused::Role);
        }
        match s {
            S::Registered => match a {
                A::SetPlan => Ok(S::Rectifying),
                _ => Err(Refused::State),
            },
            S::Rectifying => match a {
                A::SetPlan => Ok(S::Rectifying),
                A::SubmitEvidence => Ok(S::AwaitingVerification),
                _ => Err(Refused::State),
            },
            S::AwaitingVerification => match a {
                A::VerifyPassed => Ok(S::Closed),
                A::VerifyFailed { with_reason: true } => Ok(S::Rectifying),
                A::VerifyFailed { with_reason: false } => Err(Refused::ReasonRequired),
                _ => Err(Refused::State),
            },
            S::Closed => Err(Refused::State),
        }
    }

    #[test]
    fn every_state_action_and_role() {
        let mut allowed = 0;
        for s in HazardState::ALL {
            for a in HazardAction::ALL {
                for r in Role::ALL {
                    let got = s.apply(a, r);
                    assert_eq!(got, expected(s, a, r), "{s:?} {a:?} {r:?}");
                    allowed += usize::from(got.is_ok());
                }
            }
        }
        // Five allowed moves, each for the two staff roles.
        assert_eq!(allowed, 10);
    }

    #[test]
    fn a_closed_hazard_stays_closed() {
        for a in HazardAction::ALL {
            assert_eq!(
                HazardState::Closed.apply(a, Role::Principal),
                Err(Refused::State)
            );
        }
    }

    #[test]
    fn names_round_trip() {
        for s in HazardState::ALL {
            assert_eq!(HazardState::parse(s.as_str()), Some(s));
        }
        assert_eq!(HazardState::parse("open"), None);
    }
}
