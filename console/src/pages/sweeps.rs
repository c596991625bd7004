//! 排查.

use actix_web::web;

use super::{ENTERPRISE_STAFF, NavEntry};

/// 排查 in the navigation.
pub const NAV: &[NavEntry] = &[NavEntry {
    path: "/console/sweeps",
    label: |m| m.nav_sweeps,
    roles: ENTERPRISE_STAFF,
}];

/// Routes.
pub fn configure(_cfg: &mut web::ServiceConfig) {}
