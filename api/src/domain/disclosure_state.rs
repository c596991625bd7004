//! The identity-disclosure state machine: a custodian asks with a written reason, a second
//! custodian decides, and only then may the requester open the identity, once.
//!
//! ```text
//! requested ──approve (another custodian)──▶ approved ──open (the requester, once)──▶ opened
//!     └─────refuse (another custodian)─────▶ refused
//! ```

use serde::{Deserialize, Serialize};

use super::Role;

/// Where a disclosure request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DisclosureStatus {
    /// Waiting for a second custodian.
    Requested,
    /// Approved; the requester may open it once.
    Approved,
    /// Refused by a second custodian.
    Refused,
    /// The requester has seen the identity.
    Opened,
}

impl DisclosureStatus {
    /// Every status.
    pub const ALL: [DisclosureStatus; 4] =
        [Self::Requested, Self::Approved, Self::Refused, Self::Opened];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Approved => "approved",
            Self::Refused => "refused",
            Self::Opened => "opened",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// What a custodian does to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisclosureAction {
    /// Second custodian agrees.
    Approve,
    /// Second custodian refuses.
    Refuse,
    /// The requester reads the identity.
    Open,
}

/// Why a disclosure action was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisclosureRefusal {
    /// Only custodians act on disclosures.
    Role,
    /// The requester cannot decide their own request; only the requester opens.
    WrongPerson,
    /// Not in this state.
    State,
    /// Already opened: an identity is shown once.
    AlreadyOpened,
}

/// Applies an action by a custodian (`is_requester`: whether they asked).
pub fn apply(
    status: DisclosureStatus,
    action: DisclosureAction,
    role: Role,
    is_requester: bool,
) -> Result<DisclosureStatus, DisclosureRefusal> {
    use DisclosureAction as A;
    use DisclosureRefusal as R;
    use DisclosureStatus as S;
    if role != Role::Custodian {
        return Err(R::Role);
    }
    match (status, action) {
        (S::Requested, A::Approve | A::Refuse) if is_requester => Err(R::WrongPerson),
        (S::Requested, A::Approve) => Ok(S::Approved),
        (S::Requested, A::Refuse) => Ok(S::Refused),
        (_, A::Open) if !is_requester => Err(R::WrongPerson),
        (S::Approved, A::Open) => Ok(S::Opened),
        (S::Opened, A::Open) => Err(R::AlreadyOpened),
        _ => Err(R::State),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DisclosureAction as A;
    use DisclosureRefusal as R;
    use DisclosureStatus as S;

    #[test]
    fn every_state_action_role_and_person() {
        let table = [
            (S::Requested, A::Approve, false, Ok(S::Approved)),
            (S::Requested, A::Approve, true, Err(R::WrongPerson)),
            (S::Requested, A::Refuse, false, Ok(S::Refused)),
            (S::Requested, A::Refuse, true, Err(R::WrongPerson)),
            (S::Requested, A::Open, true, Err(R::State)),
            (S::Requested, A::Open, false, Err(R::WrongPerson)),
            (S::Approved, A::Approve, false, Err(R::State)),
            (S::Approved, A::Approve, true, Err(R::State)),
            (S::Approved, A::Refuse, false, Err(R::State)),
            (S::Approved, A::Refuse, true, Err(R::State)),
            (S::Approved, A::Open, true, Ok(S::Opened)),
            (S::Approved, A::Open, false, Err(R::WrongPerson)),
            (S::Refused, A::Approve, false, Err(R::State)),
            (S::Refused, A::Approve, true, Err(R::State)),
            (S::Refused, A::Refuse, false, Err(R::State)),
            (S::Refused, A::Refuse, true, Err(R::State)),
            (S::Refused, A::Open, true, Err(R::State)),
            (S::Refused, A::Open, false, Err(R::WrongPerson)),
            (S::Opened, A::Approve, false, Err(R::State)),
            (S::Opened, A::Approve, true, Err(R::State)),
            (S::Opened, A::Refuse, false, Err(R::State)),
            (S::Opened, A::Refuse, true, Err(R::State)),
            (S::Opened, A::Open, true, Err(R::AlreadyOpened)),
            (S::Opened, A::Open, false, Err(R::WrongPerson)),
        ];
        assert_eq!(table.len(), 4 * 3 * 2);
        for (s, a, own, want) in table {
            assert_eq!(
                apply(s, a, Role::Custodian, own),
                want,
                "{s:?} {a:?} own={own}"
            );
            for role in Role::ALL.into_iter().filter(|r| *r != Role::Custodian) {
                assert_eq!(apply(s, a, role, own), Err(R::Role), "{role:?}");
            }
        }
    }

    #[test]
    fn status_names_round_trip() {
        for s in S::ALL {
            assert_eq!(S::parse(s.as_str()), Some(s));
        }
    }
}
