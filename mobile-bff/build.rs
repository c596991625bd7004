#![allow(clippy::expect_used)] // a build script has nowhere to report but a panic with a message
//! Embeds the phone page's files (`assets/`) and computes their version at build time: one
//! FNV-1a hash over every file's name and bytes, so any change gives every asset a new URL
//! (`/m/assets/<hash>/app.js`) and a phone's hard cache can never serve a stale module next to
//! a new one. Reads only local files; nothing is fetched.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir =
        Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
            .join("assets");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("mobile-bff/assets must exist")
        .map(|e| {
            e.expect("readable assets folder")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    let mut table = String::new();
    for name in &names {
        let path = dir.join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        let bytes = std::fs::read(&path).expect("readable asset");
        feed(name.as_bytes());
        feed(&[0]);
        feed(&bytes);
        writeln!(
            table,
            "    ({name:?}, include_bytes!({:?})),",
            path.display().to_string()
        )
        .expect("write to a String");
    }
    let out = format!(
        "/// Version of the phone page's files, from their bytes.\n\
         pub const VERSION: &str = \"{:012x}\";\n\
         /// The phone page's files: `(name, bytes)`.\n\
         pub static FILES: &[(&str, &[u8])] = &[\n{table}];\n",
        hash & 0xffff_ffff_ffff
    );
    let dest = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("assets.rs");
    std::fs::write(dest, out).expect("write assets.rs");
}
