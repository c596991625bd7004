//! The report state machine (DESIGN.md, "Life of a report"): a submitted report is triaged once,
//! by the enterprise's safety manager or principal, into accepted, duplicate or rejected. Every
//! other move is refused here, so the server has one place that says what may happen.

use super::roles::Role;

/// Where a report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportState {
    /// Waiting for triage.
    Submitted,
    /// Became a hazard on the ledger.
    Accepted,
    /// Joined an existing hazard.
    Duplicate,
    /// Not a hazard; the reason is shown to the reporter.
    Rejected,
}

/// What staff can do to a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportAction {
    /// Put it on the ledger as a new hazard.
    Accept,
    /// Link it to a hazard already on the ledger.
    MarkDuplicate,
    /// Turn it down; `with_reason` says whether a reason was given (one is required).
    Reject {
        /// Whether the request carried a non-empty reason.
        with_reason: bool,
    },
}

/// Why a transition was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Refused {
    /// The role may never do this.
    Role,
    /// Not from the current state.
    State,
    /// The action needs a reason and none was given.
    ReasonRequired,
}

impl ReportState {
    /// Every state, for exhaustive tests.
    pub const ALL: [ReportState; 4] = [
        Self::Submitted,
        Self::Accepted,
        Self::Duplicate,
        Self::Rejected,
    ];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Accepted => "accepted",
            Self::Duplicate => "duplicate",
            Self::Rejected => "rejected",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The state after `action` by someone of `role`, or why not. Checks role first (a worker
    /// learns nothing about the state), then state, then the reason.
    pub fn apply(self, action: ReportAction, role: Role) -> Result<ReportState, Refused> {
        if !role.is_enterprise_staff() {
            return Err(Refused::Role);
        }
        if self != Self::Submitted {
            return Err(Refused::State);
        }
        match action {
            ReportAction::Accept => Ok(Self::Accepted),
            ReportAction::MarkDuplicate => Ok(Self::Duplicate),
            ReportAction::Reject { with_reason: false } => Err(Refused::ReasonRequired),
            ReportAction::Reject { with_reason: true } => Ok(Self::Rejected),
        }
    }
}

impl ReportAction {
    /// Every action, for exhaustive tests.
    pub const ALL: [ReportAction; 4] = [
        Self::Accept,
        Self::MarkDuplicate,
        Self::Reject { with_reason: true },
        Self::Reject { with_reason: false },
    ];

    /// The timeline event kind this action records.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::MarkDuplicate => "duplicate",
            Self::Reject { .. } => "reject",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole table: every state × action × role, with the expected answer.
    fn expected(
        state: ReportState,
        action: ReportAction,
        role: Role,
    ) -> Result<ReportState, Refused> {
        use ReportState as S;
        let staff = matches!(role, Role::SafetyManager | Role::Principal);
        match (staff, state, action) {
            (false, _, _) => Err(Refused::Role),
            (true, S::Submitted, ReportAction::Accept) => Ok(S::Accepted),
            (true, S::Submitted, ReportAction::MarkDuplicate) => Ok(S::Duplicate),
            (true, S::Submitted, ReportAction::Reject { with_reason: true }) => Ok(S::Rejected),
            (true, S::Submitted, ReportAction::Reject { with_reason: false }) => {
                Err(Refused::ReasonRequired)
            }
            (true, S::Accepted | S::Duplicate | S::Rejected, _) => Err(Refused::State),
        }
    }

    #[test]
    fn every_state_action_and_role() {
        let mut allowed = 0;
        for s in ReportState::ALL {
            for a in ReportAction::ALL {
                for r in Role::ALL {
                    let got = s.apply(a, r);
                    assert_eq!(got, expected(s, a, r), "{s:?} {a:?} {r:?}");
                    allowed += usize::from(got.is_ok());
                }
            }
        }
        // Only the three triage outcomes from `submitted`, by the two staff roles.
        assert_eq!(allowed, 6);
    }

    #[test]
    fn workers_custodians_bureau_and_admins_cannot_triage() {
        for r in [
            Role::Worker,
            Role::Custodian,
            Role::BureauOfficer,
            Role::Admin,
        ] {
            assert_eq!(
                ReportState::Submitted.apply(ReportAction::Accept, r),
                Err(Refused::Role)
            );
        }
    }

    #[test]
    fn names_round_trip() {
        for s in ReportState::ALL {
            assert_eq!(ReportState::parse(s.as_str()), Some(s));
        }
        assert_eq!(ReportState::parse("closed"), None);
    }
}
