//! Who may see and do what: the one place for tenant and role checks. Services call these with
//! the acting user; routes never decide permissions themselves.

use super::roles::Role;

/// The authenticated user on whose behalf a service acts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// User id.
    pub user_id: String,
    /// Role at the time the token was issued.
    pub role: Role,
    /// The enterprise of an enterprise-scoped role.
    pub enterprise_id: Option<String>,
    /// The jurisdiction of a bureau officer.
    pub jurisdiction: Option<String>,
}

/// What access an actor has to one enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnterpriseAccess {
    /// Cannot see it at all (answer 404, not 403, so existence is not revealed).
    None,
    /// Can see it (member, supervising bureau officer, admin).
    Read,
    /// Can manage its areas and settings (admin, its safety managers and principal).
    Manage,
}

impl Actor {
    /// Whether this actor is the platform administrator.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Whether this actor belongs to the given enterprise.
    pub fn is_member_of(&self, enterprise_id: &str) -> bool {
        self.role.is_enterprise_scoped() && self.enterprise_id.as_deref() == Some(enterprise_id)
    }

    /// Whether a bureau officer's jurisdiction covers the enterprise's.
    pub fn supervises(&self, enterprise_jurisdiction: &str) -> bool {
        self.role == Role::BureauOfficer
            && self
                .jurisdiction
                .as_deref()
                .is_some_and(|j| jurisdiction_covers(j, enterprise_jurisdiction))
    }

    /// Access to an enterprise with the given id and jurisdiction.
    pub fn enterprise_access(&self, enterprise_id: &str, jurisdiction: &str) -> EnterpriseAccess {
        if self.is_admin() {
            EnterpriseAccess::Manage
        } else if self.is_member_of(enterprise_id) {
            if self.role.is_enterprise_staff() {
                EnterpriseAccess::Manage
            } else {
                EnterpriseAccess::Read
            }
        } else if self.supervises(jurisdiction) {
            EnterpriseAccess::Read
        } else {
            EnterpriseAccess::None
        }
    }
}

/// Jurisdictions are `/`-separated paths (`jiangbei/chengguan`); an officer of a path supervises
/// that path and everything below it.
pub fn jurisdiction_covers(officer: &str, enterprise: &str) -> bool {
    enterprise == officer
        || enterprise
            .strip_prefix(officer)
            .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, ent: Option<&str>, jur: Option<&str>) -> Actor {
        Actor {
            user_id: "u".into(),
            role,
            enterprise_id: ent.map(Into::into),
            jurisdiction: jur.map(Into::into),
        }
    }

    #[test]
    fn jurisdiction_is_a_path_prefix_on_segment_boundaries() {
        assert!(jurisdiction_covers("jb", "jb"));
        assert!(jurisdiction_covers("jb", "jb/town"));
        assert!(!jurisdiction_covers("jb", "jbx"));
        assert!(!jurisdiction_covers("jb/town", "jb"));
    }

    #[test]
    fn enterprise_access_for_every_role() {
        use EnterpriseAccess as E;
        let cases = [
            (actor(Role::Admin, None, None), E::Manage),
            (actor(Role::SafetyManager, Some("e1"), None), E::Manage),
            (actor(Role::Principal, Some("e1"), None), E::Manage),
            (actor(Role::Worker, Some("e1"), None), E::Read),
            (actor(Role::Custodian, Some("e1"), None), E::Read),
            (actor(Role::SafetyManager, Some("e2"), None), E::None),
            (actor(Role::Worker, Some("e2"), None), E::None),
            (actor(Role::BureauOfficer, None, Some("jb")), E::Read),
            (actor(Role::BureauOfficer, None, Some("other")), E::None),
            (actor(Role::BureauOfficer, Some("e1"), None), E::None),
        ];
        for (a, expected) in cases {
            assert_eq!(a.enterprise_access("e1", "jb/town"), expected, "{a:?}");
        }
    }
}
