//! Use cases: one function per thing a person does, each in one transaction, each checking the
//! acting user's permission itself (routes do not decide who may do what).

pub mod admin;
pub mod appeals;
pub mod audit;
pub mod auth;
pub mod bureau;
pub mod escalations;
pub mod intake;
pub mod limits;
pub mod outbox;
pub mod passwords;
pub mod personal;
pub mod tokens;
pub mod users;
