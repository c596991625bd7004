//! Use cases: one function per thing a person does, each in one transaction, each checking the
//! acting user's permission itself (routes do not decide who may do what).

pub mod accounts;
pub mod admin;
pub mod appeals;
pub mod audit;
pub mod auth;
pub mod board;
pub mod bureau;
pub mod criteria;
pub mod disclosures;
pub mod escalations;
pub mod exports;
pub mod followup;
pub mod hazards;
pub mod idempotency;
pub mod identity;
pub mod inbox;
pub mod intake;
pub mod ledger_common;
pub mod limits;
pub mod outbox;
pub mod passwords;
pub mod personal;
pub mod photos;
pub mod proofs;
pub mod rectification;
pub mod reward_ledger;
pub mod rewards;
pub mod rewards_hook;
pub mod sessions;
pub mod staff_times;
pub mod submission;
pub mod tokens;
pub mod triage;
pub mod users;
pub mod worker_import;
