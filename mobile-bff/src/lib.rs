//! qingling-mobile-bff: the phone-facing routes under `/m/v1`. It calls `qingling-api`'s
//! services in-process and shapes their answers for phones on weak networks: compact bodies,
//! idempotent POSTs, receipts instead of accounts for anonymous reporters.

pub mod activation;
pub mod appeals;
pub mod board;
pub mod followup;
pub mod multipart;
pub mod page;
pub mod proof;
pub mod rewards;
pub mod routes;

pub use routes::configure;
