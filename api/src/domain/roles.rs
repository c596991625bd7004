//! Roles and sectors, stored as their snake_case names and parsed back strictly.

use serde::{Deserialize, Serialize};

/// Who a user is in Qingling (see DESIGN.md, "Who uses it").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Frontline employee who reports hazards.
    Worker,
    /// Enterprise safety manager (安全管理人员).
    SafetyManager,
    /// Enterprise head (主要负责人).
    Principal,
    /// Identity custodian: the only role that may disclose a reporter, with a second custodian.
    Custodian,
    /// Bureau / brigade / town supervisor, scoped to a jurisdiction.
    BureauOfficer,
    /// Platform operator.
    Admin,
}

impl Role {
    /// Every role, for exhaustive tests.
    pub const ALL: [Role; 6] = [
        Role::Worker,
        Role::SafetyManager,
        Role::Principal,
        Role::Custodian,
        Role::BureauOfficer,
        Role::Admin,
    ];

    /// Stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Worker => "worker",
            Role::SafetyManager => "safety_manager",
            Role::Principal => "principal",
            Role::Custodian => "custodian",
            Role::BureauOfficer => "bureau_officer",
            Role::Admin => "admin",
        }
    }

    /// Parses a stored or typed name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Roles that belong to exactly one enterprise.
    pub fn is_enterprise_scoped(self) -> bool {
        matches!(
            self,
            Role::Worker | Role::SafetyManager | Role::Principal | Role::Custodian
        )
    }

    /// Staff who handle reports and hazards for their enterprise.
    pub fn is_enterprise_staff(self) -> bool {
        matches!(self, Role::SafetyManager | Role::Principal)
    }
}

/// Which kind of smelter an enterprise is; decides which major-hazard criteria apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sector {
    /// Iron and steel (冶金).
    Steel,
    /// Non-ferrous metals (有色).
    Nonferrous,
}

impl Sector {
    /// Stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Sector::Steel => "steel",
            Sector::Nonferrous => "nonferrous",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "steel" => Some(Sector::Steel),
            "nonferrous" => Some(Sector::Nonferrous),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.as_str()));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn sector_names_round_trip() {
        for s in [Sector::Steel, Sector::Nonferrous] {
            assert_eq!(Sector::parse(s.as_str()), Some(s));
        }
    }
}
