//! `qingling`: see `qingling --help`.

use std::collections::HashMap;
use std::process::ExitCode;

fn main() -> ExitCode {
    let env: HashMap<String, String> = std::env::vars()
        .filter(|(k, _)| qingling_api::config::is_read(k))
        .collect();
    let code = qingling::cli::run(std::env::args_os(), &env, &mut std::io::stdout());
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}
