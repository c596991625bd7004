//! The command-line interface: serve, migrate, administer, fill a demo district, verify the
//! audit trail. It lives in the library so tests drive exactly what the binary runs.

use std::collections::HashMap;
use std::ffi::OsString;
use std::io::{BufRead, Write};
use std::path::PathBuf;

use crate::{Application, Sides, demo, telemetry};
use clap::{Parser, Subcommand};
use qingling_api::config::Settings;
use qingling_api::domain::Role;
use qingling_api::services::users::CreateUserRequest;
use qingling_api::store::audit::{ExportedHead, Verdict};

#[derive(Parser)]
#[command(
    name = "qingling",
    version,
    about = "Qingling 清零: hazard reporting for smelters"
)]
struct Cli {
    /// TOML configuration file (also `QINGLING_CONFIG`); environment variables override it.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve HTTP (the default when no command is given).
    Serve {
        /// Which routes to serve.
        #[arg(long, value_enum, default_value = "all")]
        only: Sides,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Administration.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Fill an empty database with a believable district and print the users' credentials.
    Demo,
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Proofs of report.
    Proof {
        #[command(subcommand)]
        command: ProofCommand,
    },
    /// Photo blobs.
    Blobs {
        #[command(subcommand)]
        command: BlobsCommand,
    },
    /// Master key rotation.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Re-wrap every sealed record and photo under the newest master key version (add it to
    /// the key ring first); exits 1 while anything is left under an older version. Then the
    /// older versions can be removed: receipt codes and 我的举报 keep their pinned index key.
    Rewrap,
}

#[derive(Subcommand)]
enum ProofCommand {
    /// Verify a proof file (one proof, or a report's list of proofs) offline; exits 1 if any
    /// signature, key, chain link or photo does not hold.
    Verify {
        /// The proof file, as saved from the report's answer or follow-up.
        file: PathBuf,
        /// The published keys (`GET /.well-known/qingling-proof-keys`, saved); without it, the
        /// keys recorded in this deployment's database.
        #[arg(long)]
        keys: Option<PathBuf>,
        /// Photo files to check against the proof's photo hashes (as uploaded or as stored).
        photos: Vec<PathBuf>,
    },
}

#[derive(Subcommand)]
enum BlobsCommand {
    /// Copy every photo from the configured store (QINGLING_BLOB_URL, the local folder by
    /// default) into another, verifying each copy; safe to interrupt and run again.
    Migrate {
        /// The target store: s3://BUCKET/PREFIX (endpoint and credentials from AWS_*) or
        /// file://PATH.
        #[arg(long)]
        to: String,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a user of any role.
    CreateUser {
        #[arg(long)]
        username: String,
        /// Password (10–128 characters). Visible to every user of the machine in the process
        /// list: prefer `--password-stdin`, or leave both out to be asked on the terminal.
        #[arg(long, conflicts_with = "password_stdin")]
        password: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        /// worker, safety_manager, principal, custodian, bureau_officer or admin.
        #[arg(long)]
        role: String,
        /// Enterprise id or unified social credit code (enterprise roles).
        #[arg(long)]
        enterprise: Option<String>,
        /// Jurisdiction path (bureau officers).
        #[arg(long)]
        jurisdiction: Option<String>,
        /// Display name (defaults to the username).
        #[arg(long)]
        display_name: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check that no audit event was edited, deleted or reordered, and that every keyed MAC
    /// holds; exits 1 if not.
    Verify {
        /// A head exported earlier by `qingling audit head` (a file holding it, or `SEQ:HEX`):
        /// the chain must still contain that event with that MAC, which catches a cut tail or a
        /// rewritten chain in this database.
        #[arg(long)]
        head: Option<String>,
    },
    /// Key what is pending and print the head (`SEQ:HEX`) to keep outside the database, for
    /// `audit verify --head`.
    Head,
}

/// Runs the command line `args` (program name first) with the `QINGLING_*` variables in `env`,
/// writing what a person should read to `out`. Returns the process exit code. Standard input is
/// the process's own (a password is prompted for on its terminal).
pub fn run(
    args: impl IntoIterator<Item = OsString>,
    env: &HashMap<String, String>,
    out: &mut dyn Write,
) -> i32 {
    run_with_stdin(args, env, None, out)
}

/// [`run`] reading standard input from `stdin` instead of the process's (`None`: the process's,
/// with a terminal prompt for a password), so tests drive `--password-stdin`.
pub fn run_with_stdin(
    args: impl IntoIterator<Item = OsString>,
    env: &HashMap<String, String>,
    stdin: Option<&mut dyn BufRead>,
    out: &mut dyn Write,
) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = write!(out, "{e}");
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let settings = match Settings::load_with_env(cli.config.as_deref(), env) {
        Ok(s) => s,
        Err(e) => {
            let _ = writeln!(out, "{e}");
            return 2;
        }
    };
    telemetry::init(&settings);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(out, "cannot start the async runtime: {e}");
            return 1;
        }
    };
    match runtime.block_on(execute(cli.command, settings, stdin, out)) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(out, "error: {e:#}");
            1
        }
    }
}

/// `qingling blobs migrate`: the copy runs on the blocking pool with a progress bar on a
/// terminal (and none in a log or a pipe); the summary goes to `out`.
async fn migrate_blobs(
    settings: &Settings,
    to: &qingling_api::config::BlobUrl,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    use std::io::IsTerminal as _;

    let bar = if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new(0)
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg} [{bar:40}] {pos}/{len} photos ({per_sec}, {eta} left)",
        )
        .map_err(|e| anyhow::anyhow!("progress bar: {e}"))?
        .progress_chars("=> "),
    );
    bar.set_message("copying");
    let settings = settings.clone();
    let target = to.clone();
    let progress_bar = bar.clone();
    let (done, from, to) = tokio::task::spawn_blocking(move || {
        qingling_api::bootstrap::migrate_blobs(&settings, &target, &move |n, total| {
            progress_bar.set_length(total as u64);
            progress_bar.set_position(n as u64);
        })
    })
    .await??;
    bar.finish_and_clear();
    writeln!(
        out,
        "{from} -> {to}: {} copied and verified, {} already there, {} damaged there and copied again",
        done.copied, done.already_there, done.repaired
    )?;
    for key in &done.damaged_at_source {
        writeln!(out, "damaged in {from}, not copied: {key}")?;
    }
    if done.complete() {
        writeln!(
            out,
            "every photo the database names is in {to}; set QINGLING_BLOB_URL={to} on every instance and restart them (keep {from} until they serve)"
        )?;
        Ok(0)
    } else {
        for key in &done.missing {
            writeln!(out, "missing: {key}")?;
        }
        writeln!(
            out,
            "{} photo blob(s) the database names are in neither store: do not switch QINGLING_BLOB_URL yet",
            done.missing.len()
        )?;
        Ok(1)
    }
}

/// Where `admin create-user` takes the password from: the flag (with a warning), the first line
/// of standard input, or a prompt on the terminal that echoes nothing.
fn password_from(
    flag: Option<String>,
    from_stdin: bool,
    stdin: Option<&mut dyn BufRead>,
    out: &mut dyn Write,
) -> anyhow::Result<String> {
    use std::io::IsTerminal as _;
    if let Some(p) = flag {
        writeln!(
            out,
            "warning: --password is visible to every user of this machine in the process list \
             (ps, /proc); use --password-stdin or answer the prompt instead"
        )?;
        return Ok(p);
    }
    let mut line = String::new();
    match (from_stdin, stdin) {
        (true, Some(input)) => {
            input.read_line(&mut line)?;
        }
        (true, None) => {
            std::io::stdin().lock().read_line(&mut line)?;
        }
        (false, None) if std::io::stdin().is_terminal() => {
            let first = rpassword::prompt_password("密码 / password: ")?;
            let again = rpassword::prompt_password("再次输入 / again: ")?;
            anyhow::ensure!(
                first == again,
                "the two passwords differ; nothing was created"
            );
            return Ok(first);
        }
        (false, _) => anyhow::bail!(
            "no password: give --password-stdin and send it on standard input, or run on a \
             terminal to be asked"
        ),
    }
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    anyhow::ensure!(!password.is_empty(), "standard input held no password");
    Ok(password)
}

async fn execute(
    command: Option<Command>,
    settings: Settings,
    stdin: Option<&mut dyn BufRead>,
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    match command.unwrap_or(Command::Serve { only: Sides::All }) {
        Command::Serve { only } => {
            let app = Application::build(settings, only)?;
            writeln!(out, "Qingling is listening on port {}", app.port())?;
            out.flush()?;
            app.run_until_stopped().await?;
        }
        Command::Migrate => {
            let n = qingling_api::bootstrap::migrate(&settings)?;
            writeln!(out, "applied {n} migration(s)")?;
        }
        Command::Admin {
            command:
                AdminCommand::CreateUser {
                    username,
                    password,
                    password_stdin,
                    role,
                    enterprise,
                    jurisdiction,
                    display_name,
                },
        } => {
            let password = password_from(password, password_stdin, stdin, out)?;
            let role = Role::parse(&role).ok_or_else(|| {
                anyhow::anyhow!(
                    "unknown role {role}: use worker, safety_manager, principal, custodian, bureau_officer or admin"
                )
            })?;
            let ctx = qingling_api::bootstrap::open(settings)?;
            let enterprise_id = match enterprise {
                Some(e) => Some(demo::resolve_enterprise(&ctx, e).await?),
                None => None,
            };
            let user = qingling_api::services::users::create_user(
                &ctx,
                None,
                CreateUserRequest {
                    display_name: display_name.unwrap_or_else(|| username.clone()),
                    username,
                    password,
                    role,
                    enterprise_id,
                    jurisdiction,
                    phone: None,
                    employee_no: None,
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            writeln!(
                out,
                "created {} ({}) id {}",
                user.username,
                user.role.as_str(),
                user.id
            )?;
        }
        Command::Demo => {
            let ctx = qingling_api::bootstrap::open(settings)?;
            let printed = demo::fill(&ctx).await?;
            writeln!(out, "{printed}")?;
        }
        Command::Blobs {
            command: BlobsCommand::Migrate { to },
        } => {
            let to = qingling_api::config::BlobUrl::parse(&to).map_err(|e| {
                anyhow::anyhow!("{}", e.to_string().replace("QINGLING_BLOB_URL", "--to"))
            })?;
            return migrate_blobs(&settings, &to, out).await;
        }
        Command::Keys {
            command: KeysCommand::Rewrap,
        } => {
            let ctx = qingling_api::bootstrap::open(settings)?;
            let done = qingling_api::services::key_rotation::rewrap_all(&ctx)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            writeln!(
                out,
                "re-wrapped under key version {}: {} record(s), {} photo blob(s)",
                ctx.keys.current_version(),
                done.records,
                done.blobs
            )?;
            for p in &done.problems {
                writeln!(out, "not re-wrapped: {p}")?;
            }
            if !done.complete() {
                writeln!(
                    out,
                    "{} item(s) are still under an older version: keep it in the key ring",
                    done.left
                )?;
                return Ok(1);
            }
            let older: Vec<String> = ctx
                .keys
                .versions()
                .into_iter()
                .filter(|v| *v < ctx.keys.current_version())
                .map(|v| v.to_string())
                .collect();
            if !older.is_empty() {
                writeln!(
                    out,
                    "nothing is left under version(s) {}: they can be removed from the key ring \
                     (the index key stays pinned in the database, sealed under version {})",
                    older.join(", "),
                    ctx.keys.current_version()
                )?;
            }
        }
        Command::Audit {
            command: AuditCommand::Head,
        } => {
            let ctx = qingling_api::bootstrap::open(settings)?;
            let keys = ctx.keys.clone();
            let head = ctx
                .db(move |c| qingling_api::services::audit::export_head(c, &keys))
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            match head {
                Some(h) => writeln!(out, "{h}")?,
                None => {
                    writeln!(out, "the audit trail has no keyed event yet")?;
                    return Ok(1);
                }
            }
        }
        Command::Audit {
            command: AuditCommand::Verify { head },
        } => {
            let exported = match head {
                None => None,
                Some(arg) => {
                    let text = match std::fs::read_to_string(&arg) {
                        Ok(t) => t,
                        Err(_) => arg.clone(),
                    };
                    Some(ExportedHead::parse(&text).ok_or_else(|| {
                        anyhow::anyhow!(
                            "--head takes SEQ:HEX as printed by `qingling audit head`, or a file holding it"
                        )
                    })?)
                }
            };
            let ctx = qingling_api::bootstrap::open(settings)?;
            let keys = ctx.keys.clone();
            let verdict = ctx
                .db(move |c| qingling_api::services::audit::verify(c, &keys, exported.as_ref()))
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            match verdict {
                Verdict::Intact {
                    events,
                    keyed,
                    keyed_from,
                } => {
                    writeln!(
                        out,
                        "audit trail intact: {events} event(s) verified, {keyed} keyed"
                    )?;
                    if let Some(from) = keyed_from.filter(|f| *f > 1) {
                        writeln!(
                            out,
                            "events 1 to {} were written before the chain was keyed and keyed at the cut-over",
                            from - 1
                        )?;
                    }
                }
                Verdict::Broken { seq, reason } => {
                    writeln!(out, "audit trail BROKEN at event {seq}: {reason}")?;
                    return Ok(1);
                }
            }
        }
        Command::Proof {
            command: ProofCommand::Verify { file, keys, photos },
        } => return verify_proof(settings, &file, keys.as_deref(), &photos, out).await,
    }
    Ok(0)
}

async fn verify_proof(
    settings: Settings,
    file: &std::path::Path,
    keys: Option<&std::path::Path>,
    photos: &[PathBuf],
    out: &mut dyn Write,
) -> anyhow::Result<i32> {
    use anyhow::Context as _;
    use qingling_api::domain::proof;
    let read_json = |path: &std::path::Path| -> anyhow::Result<serde_json::Value> {
        let text =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        serde_json::from_slice(&text).with_context(|| format!("{} is not JSON", path.display()))
    };
    let content = read_json(file)?;
    let published: proof::PublishedKeys = match keys {
        Some(path) => serde_json::from_value(read_json(path)?)
            .with_context(|| format!("{} is not a proof key list", path.display()))?,
        None => {
            let ctx = qingling_api::bootstrap::open(settings)?;
            qingling_api::services::proofs::published_keys(&ctx)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?
        }
    };
    let mut failed = false;
    match proof::verify_bundle(&content, &published.keys) {
        Ok(verified) => {
            for v in &verified {
                writeln!(
                    out,
                    "OK {} report {} at {} by {}, signed with key {}",
                    v.kind, v.report_id, v.at, v.enterprise, v.key_id
                )?;
            }
            if verified.len() > 1 {
                writeln!(out, "OK every later proof chains to the first proof")?;
            }
        }
        Err(e) => {
            writeln!(out, "INVALID: {e}")?;
            failed = true;
        }
    }
    for path in photos {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let name = path.display().to_string();
        match proof::check_photo(&content, &name, &bytes) {
            Ok(()) => writeln!(out, "OK photo {name} is a photo of the report")?,
            Err(e) => {
                writeln!(out, "INVALID: {e}")?;
                failed = true;
            }
        }
    }
    Ok(i32::from(failed))
}
