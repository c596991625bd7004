//! Storage: diesel over SQLite and PostgreSQL through one code path. Repositories here only read
//! and write rows; the rules live in `domain` and the use cases in `services`.

pub mod activation;
pub mod audit;
pub mod conn;
pub mod criteria;
pub mod disclosures;
pub mod enterprises;
pub mod escalations;
pub mod hazard_counts;
pub mod hazards;
pub mod key_pins;
pub mod notifications;
pub mod outbox;
pub mod pagination;
pub mod proofs;
pub mod reports;
pub mod rewards;
pub mod schema;
pub mod sessions;
pub mod time;
pub mod users;

pub use conn::{DbConn, DbPool, PooledConn, write_tx};
