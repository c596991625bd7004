//! Use cases: one function per thing a person does, each in one transaction, each checking the
//! acting user's permission itself (routes do not decide who may do what).

pub mod admin;
pub mod audit;
pub mod auth;
pub mod disclosures;
pub mod intake;
pub mod limits;
pub mod passwords;
pub mod personal;
pub mod reward_ledger;
pub mod rewards;
pub mod tokens;
pub mod users;
