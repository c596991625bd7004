//! The console's pages, one module per area. A page module has:
//!
//! - `pub const NAV: &[NavEntry]`: its entries in the main navigation, with the roles that see
//!   them (listed in [`NAV`] below, in the order they appear);
//! - `pub fn configure(cfg: &mut web::ServiceConfig)`: its routes (called from [`configure`]);
//! - handlers that take the signed-in user ([`crate::session::SignedInUser`], or
//!   [`crate::csrf::Posted`] for a form post), call a service of `qingling_api::services`, build
//!   a view model (a `#[derive(Template)]` struct with a `chrome` field) and render it. The rule
//!   stays in the service.
//!
//! Adding a page is a new module here, its template(s) in `templates/`, its words in
//! `messages.rs`, and one line each in [`NAV`] and [`configure`].

pub mod account;
pub mod admin_catalog;
pub mod admin_enterprises;
pub mod admin_system;
pub mod admin_users;
pub mod bureau_appeals;
pub mod bureau_board;
pub mod bureau_escalations;
pub mod disclosures;
pub mod exports;
pub mod home;
pub mod inbox;
pub mod ledger;
pub mod overview;
pub mod posters;
pub mod rewards;
pub mod sign_in;
pub mod sweeps;
pub mod workers;

use actix_web::web;
use qingling_api::domain::Role;

use crate::messages::Messages;

/// An entry of the main navigation.
#[derive(Debug)]
pub struct NavEntry {
    /// The page's path (also how the current page is marked).
    pub path: &'static str,
    /// Its label, from the messages table.
    pub label: fn(&'static Messages) -> &'static str,
    /// Who sees it.
    pub roles: &'static [Role],
}

/// Safety managers and principals: the enterprise's staff who handle reports and hazards.
pub const ENTERPRISE_STAFF: &[Role] = &[Role::SafetyManager, Role::Principal];

/// The navigation, page module by page module, in the order shown.
pub const NAV: &[&[NavEntry]] = &[
    overview::NAV,
    inbox::NAV,
    ledger::NAV,
    sweeps::NAV,
    rewards::NAV,
    exports::NAV,
    disclosures::NAV,
    bureau_board::NAV,
    bureau_escalations::NAV,
    bureau_appeals::NAV,
    admin_enterprises::NAV,
    admin_users::NAV,
    admin_catalog::NAV,
    admin_system::NAV,
    account::NAV,
];

/// The entries `role` sees, in order.
pub fn nav_for(role: Role) -> impl Iterator<Item = &'static NavEntry> {
    NAV.iter()
        .flat_map(|entries| entries.iter())
        .filter(move |e| e.roles.contains(&role))
}

/// Registers every page's routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    sign_in::configure(cfg);
    home::configure(cfg);
    disclosures::configure(cfg);
    exports::configure(cfg);
    inbox::configure(cfg);
    ledger::configure(cfg);
    overview::configure(cfg);
    rewards::configure(cfg);
    sweeps::configure(cfg);
    posters::configure(cfg);
    admin_enterprises::configure(cfg);
    admin_users::configure(cfg);
    admin_catalog::configure(cfg);
    admin_system::configure(cfg);
    account::configure(cfg);
    workers::configure(cfg);
    bureau_board::configure(cfg);
    bureau_escalations::configure(cfg);
    bureau_appeals::configure(cfg);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managers_and_principals_see_the_core_workflow_and_workers_see_nothing() {
        let paths: Vec<_> = nav_for(Role::SafetyManager).map(|e| e.path).collect();
        assert_eq!(
            paths,
            [
                "/console/overview",
                "/console/reports",
                "/console/hazards",
                "/console/sweeps",
                "/console/rewards",
                "/console/exports",
                "/console/site",
                "/console/account/password"
            ]
        );
        assert_eq!(nav_for(Role::Principal).count(), paths.len());
        assert_eq!(nav_for(Role::Worker).count(), 0);
        let custodian: Vec<_> = nav_for(Role::Custodian).map(|e| e.path).collect();
        assert_eq!(
            custodian,
            ["/console/disclosures", "/console/account/password"]
        );
        let officer: Vec<_> = nav_for(Role::BureauOfficer).map(|e| e.path).collect();
        assert_eq!(
            officer,
            [
                "/console/bureau",
                "/console/bureau/escalations",
                "/console/bureau/appeals",
                "/console/account/password"
            ]
        );
        let admin: Vec<_> = nav_for(Role::Admin).map(|e| e.path).collect();
        assert_eq!(
            admin,
            [
                "/console/admin/enterprises",
                "/console/admin/users",
                "/console/admin/criteria",
                "/console/admin/system",
                "/console/account/password"
            ]
        );
    }
}
