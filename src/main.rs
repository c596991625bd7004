//! `qingling`: see `qingling --help`.

use std::collections::HashMap;
use std::process::ExitCode;

fn main() -> ExitCode {
    let env: HashMap<String, String> = std::env::vars()
        .filter(|(k, _)| k.starts_with("QINGLING_"))
        .collect();
    let code = qingling::cli::run(std::env::args_os(), &env, &mut std::io::stdout());
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}
