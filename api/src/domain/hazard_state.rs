//! The hazard state machine (DESIGN.md, "Life of a report"): registered (上账) → rectifying once a
//! 五落实 plan is set → awaiting verification once evidence is in → closed (销号) when
//! verification passes, or back to rectifying with a reason when it fails.
//!
//! A hazard under the bureau's supervision (督办) is closed for good only by the bureau: the
//! enterprise's passed verification is recorded but leaves it awaiting verification, and the
//! bureau's close, allowed only after that verification, is what closes it.

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
    /// The enterprise's verification passed: close, unless the bureau supervises the hazard, in
    /// which case it waits for the bureau's close.
    VerifyPassed {
        /// Whether an escalation on the hazard is under the bureau's supervision.
        supervised: bool,
    },
    /// Verification failed; `with_reason` says whether a reason was given (one is required).
    VerifyFailed {
        /// Whether the request carried a non-empty reason.
        with_reason: bool,
    },
    /// The supervising bureau closes the hazard; only after the enterprise's passed verification.
    BureauClose {
        /// Whether the enterprise's latest verification passed.
        verified: bool,
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
        let bureaus = matches!(action, A::BureauClose { .. });
        let may = if bureaus {
            role == Role::BureauOfficer
        } else {
            role.is_enterprise_staff()
        };
        if !may {
            return Err(Refused::Role);
        }
        match (self, action) {
            (Self::Registered | Self::Rectifying, A::SetPlan) => Ok(Self::Rectifying),
            (Self::Rectifying, A::SubmitEvidence) => Ok(Self::AwaitingVerification),
            (Self::AwaitingVerification, A::VerifyPassed { supervised: false }) => Ok(Self::Closed),
            (Self::AwaitingVerification, A::VerifyPassed { supervised: true }) => {
                Ok(Self::AwaitingVerification)
            }
            (Self::AwaitingVerification, A::VerifyFailed { with_reason: false }) => {
                Err(Refused::ReasonRequired)
            }
            (Self::AwaitingVerification, A::VerifyFailed { with_reason: true }) => {
                Ok(Self::Rectifying)
            }
            (Self::AwaitingVerification, A::BureauClose { verified: true }) => Ok(Self::Closed),
            _ => Err(Refused::State),
        }
    }
}

impl HazardAction {
    /// Every action, for exhaustive tests.
    pub const ALL: [HazardAction; 8] = [
        Self::SetPlan,
        Self::SubmitEvidence,
        Self::VerifyPassed { supervised: false },
        Self::VerifyPassed { supervised: true },
        Self::VerifyFailed { with_reason: true },
        Self::VerifyFailed { with_reason: false },
        Self::BureauClose { verified: true },
        Self::BureauClose { verified: false },
    ];

    /// The timeline event kind this action records.
    pub fn kind(self) -> &'static str {
        match self {
            Self::SetPlan => "plan",
            Self::SubmitEvidence => "evidence",
            Self::VerifyPassed { .. } => "verified",
            Self::VerifyFailed { .. } => "verification_failed",
            Self::BureauClose { .. } => "bureau_closed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expected(s: HazardState, a: HazardAction, role: Role) -> Result<HazardState, Refused> {
        use HazardAction as A;
        use HazardState as S;
        let bureau_action = matches!(a, A::BureauClose { .. });
        if bureau_action != (role == Role::BureauOfficer)
            || (!bureau_action && !matches!(role, Role::SafetyManager | Role::Principal))
        {
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
                A::VerifyPassed { supervised: false } => Ok(S::Closed),
                A::VerifyPassed { supervised: true } => Ok(S::AwaitingVerification),
                A::BureauClose { verified: true } => Ok(S::Closed),
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
        // Six allowed moves for each of the two staff roles, and the bureau's close.
        assert_eq!(allowed, 13);
    }

    #[test]
    fn a_closed_hazard_stays_closed() {
        for a in HazardAction::ALL {
            for r in [Role::Principal, Role::BureauOfficer] {
                let got = HazardState::Closed.apply(a, r);
                assert!(
                    matches!(got, Err(Refused::State | Refused::Role)),
                    "{a:?} {r:?}"
                );
            }
        }
    }

    #[test]
    fn a_supervised_hazard_is_closed_only_by_the_bureau_after_verification() {
        let s = HazardState::AwaitingVerification;
        let verified = s.apply(
            HazardAction::VerifyPassed { supervised: true },
            Role::SafetyManager,
        );
        assert_eq!(verified, Ok(HazardState::AwaitingVerification));
        assert_eq!(
            s.apply(
                HazardAction::BureauClose { verified: false },
                Role::BureauOfficer
            ),
            Err(Refused::State)
        );
        assert_eq!(
            s.apply(
                HazardAction::BureauClose { verified: true },
                Role::Principal
            ),
            Err(Refused::Role)
        );
        assert_eq!(
            s.apply(
                HazardAction::BureauClose { verified: true },
                Role::BureauOfficer
            ),
            Ok(HazardState::Closed)
        );
    }

    #[test]
    fn names_round_trip() {
        for s in HazardState::ALL {
            assert_eq!(HazardState::parse(s.as_str()), Some(s));
        }
        assert_eq!(HazardState::parse("open"), None);
    }
}
