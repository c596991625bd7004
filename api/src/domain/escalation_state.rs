//! The escalation state machine (DESIGN.md, "Life of a report"): `open → acknowledged →
//! supervising (督办) → closed`, or `dismissed` with a reason from any state before closing.
//! Only a bureau officer moves an escalation; the sweeper and appeals only open them.

use serde::{Deserialize, Serialize};

use super::roles::Role;

/// Where an escalation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EscalationStatus {
    /// Opened by a trigger or an appeal; in the bureau's inbox.
    Open,
    /// The bureau has seen it.
    Acknowledged,
    /// 督办: the bureau set a deadline and instructions for the enterprise.
    Supervising,
    /// 销号 by the bureau.
    Closed,
    /// Not the bureau's matter, with a reason.
    Dismissed,
}

/// What a bureau officer does to an escalation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EscalationAction {
    /// Mark as seen.
    Acknowledge,
    /// Set a deadline and instructions (also renews them while supervising).
    Supervise,
    /// Close for good.
    Close,
    /// Dismiss with a reason.
    Dismiss,
}

/// Why a transition was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The role may not act on escalations at all.
    Role,
    /// The action is not allowed from this state.
    State,
}

impl EscalationStatus {
    /// Every state, for exhaustive tests.
    pub const ALL: [Self; 5] = [
        Self::Open,
        Self::Acknowledged,
        Self::Supervising,
        Self::Closed,
        Self::Dismissed,
    ];

    /// The states in which an escalation is still open (the partial unique index lists these).
    pub const ACTIVE: [Self; 3] = [Self::Open, Self::Acknowledged, Self::Supervising];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Acknowledged => "acknowledged",
            Self::Supervising => "supervising",
            Self::Closed => "closed",
            Self::Dismissed => "dismissed",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Whether the escalation still needs the bureau.
    pub fn is_active(self) -> bool {
        Self::ACTIVE.contains(&self)
    }

    /// The state after `action` by `role`, or why not.
    pub fn apply(self, action: EscalationAction, role: Role) -> Result<Self, Refused> {
        use EscalationAction as A;
        use EscalationStatus as S;
        if role != Role::BureauOfficer {
            return Err(Refused::Role);
        }
        match (self, action) {
            (S::Open, A::Acknowledge) => Ok(S::Acknowledged),
            (S::Open | S::Acknowledged | S::Supervising, A::Supervise) => Ok(S::Supervising),
            (S::Supervising, A::Close) => Ok(S::Closed),
            (S::Open | S::Acknowledged | S::Supervising, A::Dismiss) => Ok(S::Dismissed),
            _ => Err(Refused::State),
        }
    }
}

impl EscalationAction {
    /// Every action, for exhaustive tests.
    pub const ALL: [Self; 4] = [
        Self::Acknowledge,
        Self::Supervise,
        Self::Close,
        Self::Dismiss,
    ];

    /// Name used in timelines, audit and webhook topics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Acknowledge => "acknowledged",
            Self::Supervise => "supervising",
            Self::Close => "closed",
            Self::Dismiss => "dismissed",
        }
    }
}

/// What caused an escalation. Each kind is recorded at most once per subject's open escalation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TriggerKind {
    /// A suspected-major report not triaged within the major triage deadline.
    MajorReportUntriaged,
    /// Any report not triaged within the triage deadline.
    ReportUntriaged,
    /// A reporter appealed.
    Appeal,
    /// A major hazard without a complete plan `QINGLING_PLAN_DEADLINE` after registration.
    PlanMissing,
    /// A major hazard not closed by its plan's deadline.
    PlanOverdue,
    /// The bureau's supervision deadline passed.
    BureauDeadlinePassed,
}

impl TriggerKind {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MajorReportUntriaged => "major_report_untriaged",
            Self::ReportUntriaged => "report_untriaged",
            Self::Appeal => "appeal",
            Self::PlanMissing => "plan_missing",
            Self::PlanOverdue => "plan_overdue",
            Self::BureauDeadlinePassed => "bureau_deadline_passed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use EscalationAction as A;
    use EscalationStatus as S;

    #[test]
    fn every_state_action_and_role() {
        let allowed = [
            (S::Open, A::Acknowledge, S::Acknowledged),
            (S::Open, A::Supervise, S::Supervising),
            (S::Acknowledged, A::Supervise, S::Supervising),
            (S::Supervising, A::Supervise, S::Supervising),
            (S::Supervising, A::Close, S::Closed),
            (S::Open, A::Dismiss, S::Dismissed),
            (S::Acknowledged, A::Dismiss, S::Dismissed),
            (S::Supervising, A::Dismiss, S::Dismissed),
        ];
        for state in S::ALL {
            for action in A::ALL {
                for role in Role::ALL {
                    let got = state.apply(action, role);
                    let expected = if role != Role::BureauOfficer {
                        Err(Refused::Role)
                    } else {
                        allowed
                            .iter()
                            .find(|(s, a, _)| *s == state && *a == action)
                            .map(|(_, _, to)| *to)
                            .ok_or(Refused::State)
                    };
                    assert_eq!(got, expected, "{state:?} {action:?} {role:?}");
                }
            }
        }
    }

    #[test]
    fn names_round_trip_and_closed_states_are_not_active() {
        for s in S::ALL {
            assert_eq!(S::parse(s.as_str()), Some(s));
        }
        assert!(!S::Closed.is_active() && !S::Dismissed.is_active());
        assert!(S::Open.is_active());
    }
}
