//! The reward state machine and its separation of duties, in one place:
//!
//! ```text
//! proposed ──approve──▶ approved ──paid──▶ paid
//!    │  ▲                  │
//!    │  └─adjust           └──reject──▶ rejected
//!    └───────reject──────────────────▶ rejected
//! ```
//!
//! Only an enterprise's safety managers and principal act on rewards. The approver is never the
//! proposer (whoever last set the amount); a reward above the policy's threshold is approved only
//! by a principal. Rejecting an approved reward undoes an approval, so it takes the same
//! authority as approving it. The payer is never the approver: recording a payment opens an
//! anonymous reporter's sealed payout details (in China a real-name account), so that opening
//! always takes a second person after the one who released the money (issue #16, item 6).

use serde::{Deserialize, Serialize};

use super::Role;

/// Where a reward is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RewardStatus {
    /// Computed from the policy, waiting for approval.
    Proposed,
    /// Approved, waiting for payment.
    Approved,
    /// Refused, with a reason.
    Rejected,
    /// Paid, with a payout reference.
    Paid,
}

impl RewardStatus {
    /// Every status, for exhaustive tests.
    pub const ALL: [RewardStatus; 4] = [Self::Proposed, Self::Approved, Self::Rejected, Self::Paid];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Paid => "paid",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The Chinese word used in ledgers.
    pub fn zh(self) -> &'static str {
        match self {
            Self::Proposed => "待批准",
            Self::Approved => "已批准",
            Self::Rejected => "已驳回",
            Self::Paid => "已发放",
        }
    }
}

/// What someone does to a reward.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RewardAction {
    /// Change the amount (within the policy) with a reason.
    Adjust,
    /// Approve it.
    Approve,
    /// Refuse it with a reason.
    Reject,
    /// Record the payment.
    MarkPaid,
}

impl RewardAction {
    /// Every action, for exhaustive tests.
    pub const ALL: [RewardAction; 4] = [Self::Adjust, Self::Approve, Self::Reject, Self::MarkPaid];
}

/// The person acting, relative to the reward.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RewardActor {
    /// Their role.
    pub role: Role,
    /// Whether they proposed (last set the amount of) this reward.
    pub is_proposer: bool,
    /// Whether they approved this reward.
    pub is_approver: bool,
}

/// Why an action was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The role never acts on rewards.
    Role,
    /// Not possible in the reward's current state.
    State,
    /// The proposer may not approve (or undo the approval of) their own proposal.
    OwnProposal,
    /// Above the threshold only a principal may do this.
    PrincipalRequired,
    /// The approver may not also record the payment (and open the payout details).
    OwnApproval,
}

/// Applies an action: the next status, or why not. `above_threshold` is whether the reward's
/// amount needs a principal under its policy.
pub fn apply(
    status: RewardStatus,
    action: RewardAction,
    who: RewardActor,
    above_threshold: bool,
) -> Result<RewardStatus, Refusal> {
    use RewardAction as A;
    use RewardStatus as S;
    if !who.role.is_enterprise_staff() {
        return Err(Refusal::Role);
    }
    let approval_authority = || {
        if who.is_proposer {
            Err(Refusal::OwnProposal)
        } else if above_threshold && who.role != Role::Principal {
            Err(Refusal::PrincipalRequired)
        } else {
            Ok(())
        }
    };
    match (status, action) {
        (S::Proposed, A::Adjust) => Ok(S::Proposed),
        (S::Proposed, A::Approve) => approval_authority().map(|()| S::Approved),
        (S::Proposed, A::Reject) => Ok(S::Rejected),
        (S::Approved, A::Reject) => approval_authority().map(|()| S::Rejected),
        (S::Approved, A::MarkPaid) if who.is_approver => Err(Refusal::OwnApproval),
        (S::Approved, A::MarkPaid) => Ok(S::Paid),
        _ => Err(Refusal::State),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RewardAction as A;
    use RewardStatus as S;

    /// Every allowed combination, written out: (state, action, role, is_proposer,
    /// above_threshold) → next. Anything not listed must be refused.
    fn allowed(s: S, a: A, role: Role, own: bool, approver: bool, above: bool) -> Option<S> {
        let staff = matches!(role, Role::SafetyManager | Role::Principal);
        let authority = !own && (!above || role == Role::Principal);
        match (s, a) {
            _ if !staff => None,
            (S::Proposed, A::Adjust) => Some(S::Proposed),
            (S::Proposed, A::Approve) if authority => Some(S::Approved),
            (S::Proposed, A::Reject) => Some(S::Rejected),
            (S::Approved, A::Reject) if authority => Some(S::Rejected),
            (S::Approved, A::MarkPaid) if !approver => Some(S::Paid),
            _ => None,
        }
    }

    #[test]
    fn every_state_action_role_person_and_threshold() {
        let mut allowed_count = 0;
        let mut total = 0;
        for s in S::ALL {
            for a in A::ALL {
                for role in Role::ALL {
                    for own in [false, true] {
                        for approver in [false, true] {
                            for above in [false, true] {
                                total += 1;
                                let got = apply(
                                    s,
                                    a,
                                    RewardActor {
                                        role,
                                        is_proposer: own,
                                        is_approver: approver,
                                    },
                                    above,
                                );
                                let want = allowed(s, a, role, own, approver, above);
                                assert_eq!(
                                    got.ok(),
                                    want,
                                    "{s:?} {a:?} {role:?} own={own} approver={approver} above={above}"
                                );
                                allowed_count += usize::from(want.is_some());
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(total, 4 * 4 * 6 * 2 * 2 * 2);
        // adjust 16 + approve 6 + reject-proposed 16 + reject-approved 6 + paid (not by the
        // approver) 8
        assert_eq!(allowed_count, 52);
    }

    #[test]
    fn refusals_say_why() {
        let mgr = |own| RewardActor {
            role: Role::SafetyManager,
            is_proposer: own,
            is_approver: false,
        };
        let principal = RewardActor {
            role: Role::Principal,
            is_proposer: true,
            is_approver: false,
        };
        let approver = RewardActor {
            role: Role::Principal,
            is_proposer: false,
            is_approver: true,
        };
        assert_eq!(
            apply(S::Approved, A::MarkPaid, approver, false),
            Err(Refusal::OwnApproval)
        );
        assert_eq!(
            apply(S::Proposed, A::Approve, mgr(true), false),
            Err(Refusal::OwnProposal)
        );
        assert_eq!(
            apply(S::Proposed, A::Approve, principal, true),
            Err(Refusal::OwnProposal)
        );
        assert_eq!(
            apply(S::Proposed, A::Approve, mgr(false), true),
            Err(Refusal::PrincipalRequired)
        );
        assert_eq!(
            apply(S::Paid, A::Reject, mgr(false), false),
            Err(Refusal::State)
        );
        assert_eq!(
            apply(S::Proposed, A::MarkPaid, mgr(false), false),
            Err(Refusal::State)
        );
        let admin = RewardActor {
            role: Role::Admin,
            is_proposer: false,
            is_approver: false,
        };
        assert_eq!(
            apply(S::Proposed, A::Approve, admin, false),
            Err(Refusal::Role)
        );
    }

    #[test]
    fn terminal_states_accept_nothing() {
        for s in [S::Rejected, S::Paid] {
            for a in A::ALL {
                let who = RewardActor {
                    role: Role::Principal,
                    is_proposer: false,
                    is_approver: false,
                };
                assert_eq!(apply(s, a, who, false), Err(Refusal::State));
            }
        }
    }

    #[test]
    fn status_names_round_trip() {
        for s in S::ALL {
            assert_eq!(S::parse(s.as_str()), Some(s));
        }
        assert_eq!(S::parse("open"), None);
    }
}
