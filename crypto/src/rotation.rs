//! Bookkeeping for key rotation: how many stored records still need re-wrapping.

use crate::format::Prefix;
use crate::{CryptoError, KeyRing};

impl KeyRing {
    /// Count the records whose data key is wrapped under a version older than
    /// [`KeyRing::current_version`]. When it reaches zero across all stored data, the old
    /// sealing key can be retired (but see [`KeyRing::index_key_version`]).
    ///
    /// Each item may be a whole [`crate::Sealed`] byte string, a whole blob, or just the first
    /// 7 bytes of either (magic, format, purpose, key version), so blob storage can be scanned by
    /// reading file headers only. Unreadable bytes are an error rather than silently skipped; a
    /// version newer than the current one is [`CryptoError::UnknownKeyVersion`] (this ring is out
    /// of date).
    pub fn count_stale<'a>(
        &self,
        records: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<usize, CryptoError> {
        let current = self.current_version();
        let mut stale = 0;
        for record in records {
            let version = Prefix::parse(record)?.key_version;
            if version > current {
                return Err(CryptoError::UnknownKeyVersion(version));
            }
            if version < current {
                stale += 1;
            }
        }
        Ok(stale)
    }
}
