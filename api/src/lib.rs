//! qingling-api: the core of Qingling — domain rules, storage, use cases and the staff, bureau
//! and admin HTTP routes. See `DESIGN.md` for the picture and `README.md` for running it.

pub mod bootstrap;
pub mod config;
pub mod context;
pub mod cpu_pool;
pub mod domain;
pub mod error;
pub mod http;
pub mod keys;
pub mod media;
pub mod posters;
pub mod services;
pub mod store;
pub mod workers;

pub use context::AppContext;
pub use error::{AppError, AppResult, ErrorCode};
