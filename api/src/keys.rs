//! Loading the master key ring: from `QINGLING_MASTER_KEY`, from a key file, or — in development
//! only — from a key file created on first start with owner-only permissions.
//!
//! Format, in the variable or the file: either one base64 key (version 1), or entries
//! `VERSION:BASE64` separated by commas or new lines; the highest version seals new data.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};
use qingling_crypto::{KeyRing, MasterKey};
use secrecy::ExposeSecret;

use crate::config::{Mode, Settings};

/// Name of the development key file inside the data folder.
pub const DEV_KEY_FILE: &str = "master.key";

/// Where the settings say the master keys come from, for messages that ask for a key back.
pub fn key_source(settings: &Settings) -> String {
    if settings.master_key.is_some() {
        "QINGLING_MASTER_KEY".to_owned()
    } else if let Some(path) = &settings.master_key_file {
        format!("the key file {} (QINGLING_MASTER_KEY_FILE)", path.display())
    } else {
        format!(
            "the development key file {}",
            settings.data_dir.join(DEV_KEY_FILE).display()
        )
    }
}

/// Pins the index key version in the database and applies the pin to `ring`.
///
/// At the first start the pin is the version the ring indexes with (the oldest loaded, as
/// before pins existed), written with that version's key sealed under the current version.
/// Later starts index with the pinned version: from the ring when it is loaded (re-sealing the
/// copy under the newest version), else from the sealed copy (the version was retired after a
/// rotation). When neither is reachable the start is refused, naming the version and where the
/// key should be, instead of silently computing different hashes — every receipt code and every
/// worker's 我的举报 would stop matching.
pub fn pin_index_key(
    conn: &mut crate::store::DbConn,
    ring: KeyRing,
    source: &str,
) -> anyhow::Result<KeyRing> {
    use crate::store::key_pins::{self, INDEX, KeyPinRow};
    use crate::store::time;
    let pin = match key_pins::find(conn, INDEX)? {
        Some(pin) => pin,
        None => {
            let version = ring.index_key_version();
            let sealed = ring
                .seal_index_key()
                .map_err(|e| anyhow::anyhow!("sealing the index key: {e}"))?;
            let row = KeyPinRow {
                name: INDEX.to_owned(),
                version: i32::try_from(version).context("key version")?,
                sealed: sealed.to_bytes(),
                updated_at: time::now(),
            };
            if key_pins::insert_first(conn, &row)? {
                tracing::info!(version, "pinned the index key version");
            }
            key_pins::find(conn, INDEX)?.context("the index key pin vanished")?
        }
    };
    let version = u32::try_from(pin.version).context("pinned key version")?;
    let sealed = qingling_crypto::Sealed::from_bytes(&pin.sealed)
        .map_err(|e| anyhow::anyhow!("the sealed index key in key_pins: {e}"))?;
    if ring.versions().contains(&version) {
        let ring = ring
            .with_index_key_version(version)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if sealed.key_version() < ring.current_version() {
            let fresh = ring
                .seal_index_key()
                .map_err(|e| anyhow::anyhow!("re-sealing the index key: {e}"))?;
            key_pins::reseal(conn, INDEX, &fresh.to_bytes(), time::now())?;
        }
        return Ok(ring);
    }
    let wrapped_under = sealed.key_version();
    if !ring.versions().contains(&wrapped_under) {
        bail!(
            "receipt codes and workers' 我的举报 are keyed with master key version {version} \
             (pinned in the database), which is not in {source}; the database keeps a copy of \
             it sealed under version {wrapped_under}, which is missing too. Put version \
             {version} (or {wrapped_under}) back into {source} as `VERSION:BASE64` and start \
             again; starting without it would silently break every receipt code"
        );
    }
    let ring = ring
        .with_sealed_index_key(version, &sealed)
        .map_err(|e| anyhow::anyhow!("opening the sealed index key (version {version}): {e}"))?;
    tracing::info!(
        version,
        "index key version retired from the key ring: using its sealed copy for receipts and the blind index"
    );
    Ok(ring)
}

/// Loads the key ring the settings describe.
pub fn load_keyring(settings: &Settings) -> anyhow::Result<KeyRing> {
    if let Some(secret) = &settings.master_key {
        return parse_keyring(secret.expose_secret()).context("QINGLING_MASTER_KEY");
    }
    if let Some(path) = &settings.master_key_file {
        if settings.mode == Mode::Production
            && let Some(dir) = beside_the_data(settings, path)
        {
            bail!(
                "production mode refuses the master key file {} because it lies in {}, beside \
                 the database: whoever copies the data (a backup, a dump, a stolen disk) would \
                 get the key with it; keep it elsewhere (QINGLING_MASTER_KEY_FILE on another \
                 volume or a secrets mount) or give it in QINGLING_MASTER_KEY",
                path.display(),
                dir.display()
            );
        }
        return read_key_file(path);
    }
    let dev_path = settings.data_dir.join(DEV_KEY_FILE);
    if settings.mode == Mode::Production {
        bail!(
            "production mode needs a master key kept apart from the data: set \
             QINGLING_MASTER_KEY or QINGLING_MASTER_KEY_FILE (outside {})",
            settings.data_dir.display()
        );
    }
    let created = !dev_path.exists();
    if created {
        create_dev_key_file(&dev_path)?;
    }
    // At every start, not only the first: a development key beside the database is one copy of
    // the data folder away from every sealed identity.
    tracing::warn!(
        path = %dev_path.display(),
        created,
        "DEVELOPMENT MASTER KEY BESIDE THE DATABASE: whoever copies the data folder can open \
         every sealed identity; back the key up elsewhere, and in production set \
         QINGLING_MODE=production with QINGLING_MASTER_KEY or QINGLING_MASTER_KEY_FILE outside \
         the data folder (production refuses this file)"
    );
    read_key_file(&dev_path)
}

/// The folder holding the data (the data folder, or the SQLite database's folder) that `path`
/// lies in, if it lies in one.
fn beside_the_data(settings: &Settings, path: &Path) -> Option<std::path::PathBuf> {
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let key_dir = canonical(path.parent().unwrap_or(Path::new(".")));
    let mut data_dirs = vec![canonical(&settings.data_dir)];
    if let crate::config::DatabaseUrl::Sqlite(db) = &settings.database
        && let Some(parent) = db.parent()
    {
        data_dirs.push(canonical(parent));
    }
    data_dirs.into_iter().find(|d| key_dir.starts_with(d))
}

fn read_key_file(path: &Path) -> anyhow::Result<KeyRing> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the master key file {}", path.display()))?;
    parse_keyring(&text).with_context(|| format!("master key file {}", path.display()))
}

fn create_dev_key_file(path: &Path) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create the key file {}", path.display()))?;
    let key = MasterKey::generate();
    writeln!(file, "1:{}", key.to_base64())?;
    file.sync_all()?;
    Ok(())
}

/// Parses `BASE64` or `V:BASE64[,V:BASE64…]` (commas or new lines between entries).
pub fn parse_keyring(text: &str) -> anyhow::Result<KeyRing> {
    let mut entries = Vec::new();
    for entry in text
        .split([',', '\n'])
        .map(str::trim)
        .filter(|e| !e.is_empty() && !e.starts_with('#'))
    {
        let (version, b64) = match entry.split_once(':') {
            Some((v, k)) => (
                v.trim()
                    .trim_start_matches('v')
                    .parse::<u32>()
                    .context("a key version must be a number")?,
                k.trim(),
            ),
            None => (1, entry),
        };
        let key = MasterKey::from_base64(b64)
            .map_err(|e| anyhow::anyhow!("key version {version}: {e}"))?;
        entries.push((version, key));
    }
    entries.sort_by_key(|(v, _)| std::cmp::Reverse(*v));
    let mut iter = entries.into_iter();
    let Some((newest, key)) = iter.next() else {
        bail!("no master key found");
    };
    let mut ring = KeyRing::new(newest, key);
    for (version, key) in iter {
        ring = ring
            .with_key(version, key)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(ring)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_one_key_and_several_versions() {
        let k1 = MasterKey::generate().to_base64();
        let k2 = MasterKey::generate().to_base64();
        assert_eq!(parse_keyring(&k1).unwrap().current_version(), 1);
        let ring = parse_keyring(&format!("1:{k1}\n2:{k2}\n")).unwrap();
        assert_eq!(ring.current_version(), 2);
        assert!(parse_keyring("").is_err());
        assert!(parse_keyring("1:not-base64!").is_err());
    }

    #[test]
    fn development_creates_an_owner_only_key_file_and_reuses_it() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings::for_data_dir(
            dir.path(),
            crate::config::DatabaseUrl::Sqlite(dir.path().join("q.db")),
        );
        let a = load_keyring(&settings).unwrap();
        let path = dir.path().join(DEV_KEY_FILE);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let b = load_keyring(&settings).unwrap();
        assert_eq!(
            a.blind_index("e", "x"),
            b.blind_index("e", "x"),
            "the second start must read the same key"
        );
    }

    #[test]
    fn production_refuses_a_key_file_beside_the_database_and_takes_one_elsewhere() {
        let data = tempfile::tempdir().unwrap();
        let secrets = tempfile::tempdir().unwrap();
        let mut settings = Settings::for_data_dir(
            data.path(),
            crate::config::DatabaseUrl::Sqlite(data.path().join("q.db")),
        );
        settings.mode = Mode::Production;
        let key = format!("1:{}\n", MasterKey::generate().to_base64());
        let beside = data.path().join("keys").join("master.key");
        std::fs::create_dir_all(beside.parent().unwrap()).unwrap();
        std::fs::write(&beside, &key).unwrap();
        settings.master_key_file = Some(beside.clone());
        let err = load_keyring(&settings).unwrap_err().to_string();
        assert!(err.contains("beside"), "{err}");
        assert!(err.contains(&beside.display().to_string()), "{err}");

        let elsewhere = secrets.path().join("master.key");
        std::fs::write(&elsewhere, &key).unwrap();
        settings.master_key_file = Some(elsewhere);
        load_keyring(&settings).expect("a key file outside the data folder is taken");

        // Development takes the file beside the data (and warns).
        settings.mode = Mode::Development;
        settings.master_key_file = Some(beside);
        load_keyring(&settings).expect("development takes it");
    }

    #[test]
    fn production_refuses_to_start_without_a_key() {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings::for_data_dir(
            dir.path(),
            crate::config::DatabaseUrl::Sqlite(dir.path().join("q.db")),
        );
        settings.mode = Mode::Production;
        let err = load_keyring(&settings).unwrap_err();
        assert!(err.to_string().contains("QINGLING_MASTER_KEY"));
        assert!(!dir.path().join(DEV_KEY_FILE).exists());
    }
}
