//! The pure core: roles, tenants, validated inputs and who may do what. No I/O, no actix, no
//! diesel: everything here is tested as plain functions.

pub mod access;
pub mod credit_code;
pub mod disclosure_state;
pub mod inputs;
pub mod reward_policy;
pub mod reward_state;
pub mod roles;

pub use access::Actor;
pub use roles::{Role, Sector};
