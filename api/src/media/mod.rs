//! Photos: sanitising uploads (so nothing in a stored photo leads back to the phone that took
//! it), the blob store, and the encrypted vault on top of it.

pub mod blob;
pub mod sanitize;
pub mod vault;
