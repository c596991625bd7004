//! The pure core: roles, tenants, validated inputs, state machines and who may do what. No I/O,
//! no actix, no diesel: everything here is tested as plain functions.

pub mod access;
pub mod credit_code;
pub mod criteria;
pub mod disclosure_state;
pub mod escalation_state;
pub mod hazard_state;
pub mod inputs;
pub mod ledger_sheet;
pub mod notification;
pub mod proof;
pub mod quarter;
pub mod report_state;
pub mod reward_policy;
pub mod reward_state;
pub mod roles;

pub use access::Actor;
pub use roles::{Role, Sector};
