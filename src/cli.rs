//! The `hotline` command line: one subcommand per job, each configured by flag or environment.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Parser, Subcommand};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::config::{DatabaseArgs, ServeArgs};

#[derive(Debug, Parser)]
#[command(
    name = "hotline",
    version,
    about = "Answers a crisis hotline's calls and puts each caller through to the person on duty"
)]
pub struct Cli {
    /// Write logs as JSON lines, for a log collector.
    #[arg(long, global = true, env = "HOTLINE_LOG_JSON")]
    pub log_json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Answer webhooks and run the hotline.
    Serve(Box<ServeArgs>),
    /// Bring the database's schema up to date and exit: a deployment's release step, run once
    /// before several instances start (`serve` also migrates when it opens the store).
    Migrate {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Load staff and shifts from a TOML file (see examples/rota.toml).
    Import {
        file: PathBuf,
        #[command(flatten)]
        database: DatabaseArgs,
        /// The time zone of times written without an offset.
        #[arg(long, env = "HOTLINE_TIMEZONE", default_value = "Asia/Almaty")]
        timezone: chrono_tz::Tz,
    },
    /// API bearer tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// The people who sign in to the coordinator's pages.
    #[command(subcommand)]
    User(UserCommand),
    /// Play Twilio's part against a running server: place a call and print the conversation.
    #[command(subcommand)]
    Simulate(crate::simulate::cli::SimulateCommand),
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The server's own secrets.
    #[command(subcommand)]
    Secrets(SecretsCommand),
    /// Seal every value sealed with a previous key again with the current one, while the server
    /// runs; then the previous keys can be dropped.
    Rekey {
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        secrets: crate::config::SecretArgs,
    },
    /// A consistent copy of the records while the server runs (SQLite: VACUUM INTO; PostgreSQL:
    /// pg_dump --format=custom). It opens only with the server's secrets: back those up
    /// separately, never beside the copy.
    Backup {
        /// Where the copy goes; an existing file is never overwritten.
        #[arg(long)]
        to: PathBuf,
        #[command(flatten)]
        database: DatabaseArgs,
        /// The server's secrets file, only to warn when the copy would sit beside it.
        #[arg(long, env = "HOTLINE_SECRETS_FILE", default_value = "hotline.secrets")]
        secrets_file: PathBuf,
    },
    /// Erase every trace of one person's contacts (her number, her words, notes, her consents)
    /// while keeping the anonymous counts. Cannot be undone.
    Erase {
        /// Her number, as she called or wrote from: +77071234567.
        #[arg(long)]
        number: String,
        /// Say so: the erasure cannot be undone.
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(flatten)]
        secrets: crate::config::SecretArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum SecretsCommand {
    /// A new data key: in the secrets file, the old key kept to open what it sealed and the
    /// hash key pinned; for a server configured by environment, the values to set instead.
    Rotate {
        #[command(flatten)]
        secrets: crate::config::SecretArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the audit log's chain of hashes: exits 1, naming the entry, if any entry was
    /// changed, removed or slipped in. Prints the head hash, to be kept somewhere else.
    Verify {
        #[command(flatten)]
        database: DatabaseArgs,
        /// An entry's hash as the coordinators' digest gave it (`ENTRY:HASH`); the check fails
        /// if that entry no longer has it. May be given more than once.
        #[arg(long = "anchor")]
        anchors: Vec<crate::audit_chain::Anchor>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Make a new bearer token for the JSON API and print it once; only its hash is kept.
    Create {
        /// Who or what the token is for.
        #[arg(long, default_value = "api")]
        name: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user who signs in to the pages; the password is read from standard input.
    Add {
        #[arg(long)]
        login: String,
        /// coordinator (everything) or staff (their own services, numbers masked).
        #[arg(long, value_parser = ["coordinator", "staff"])]
        role: String,
        /// The staff member this user is: their services decide what a staff user sees.
        #[arg(long)]
        staff_id: Option<i64>,
        /// ru, kk or en.
        #[arg(long, default_value = "ru", value_parser = ["ru", "kk", "en"])]
        language: String,
        /// The name the pages show; the login when not given.
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

pub fn init_logs(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    // Logs go to stderr, so a command's own output (a token, an import summary) stays clean.
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        logs.json().init()
    } else {
        logs.init()
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => crate::server::serve(*args).await,
        Command::Migrate { database } => {
            let store = crate::store::open(&database.database_url).await?;
            println!("the {} database is up to date", store.backend());
            Ok(())
        }
        Command::Import {
            file,
            database,
            timezone,
        } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let roster = crate::import::parse(&text, timezone).map_err(|errors| {
                anyhow::anyhow!(
                    "{} is not valid; nothing was imported:\n{}",
                    file.display(),
                    errors.join("\n")
                )
            })?;
            let store = crate::store::open(&database.database_url).await?;
            let imported =
                crate::import::apply(store.as_ref(), &roster, chrono::Utc::now()).await?;
            println!(
                "imported {} staff and {} new shifts from {}",
                imported.staff,
                imported.shifts,
                file.display()
            );
            if imported.shifts_over > 0 {
                println!(
                    "skipped {} shifts that are already over",
                    imported.shifts_over
                );
            }
            Ok(())
        }
        Command::Simulate(command) => crate::simulate::cli::run(command).await,
        Command::Secrets(SecretsCommand::Rotate { secrets }) => rotate(&secrets),
        Command::Rekey { database, secrets } => {
            let key = existing_key(&secrets)?;
            let store = crate::store::open(&database.database_url).await?;
            let report = crate::rekey::rekey(store.as_ref(), &key).await?;
            let mut left = 0;
            for column in &report {
                println!(
                    "{}: {} sealed again, {} unreadable, {} changed meanwhile",
                    column.column, column.resealed, column.unreadable, column.changed
                );
                left += column.unreadable + column.changed;
            }
            if left == 0 {
                println!(
                    "every value is sealed with key {}: the previous keys can be dropped",
                    key.id_hex()
                );
                Ok(())
            } else {
                anyhow::bail!("{left} values are not yet sealed with the current key; run it again")
            }
        }
        Command::Backup {
            to,
            database,
            secrets_file,
        } => backup(&to, &database, &secrets_file).await,
        Command::Erase {
            number,
            yes,
            database,
            secrets,
        } => erase(&number, yes, &database, &secrets).await,
        Command::Audit(AuditCommand::Verify { database, anchors }) => {
            let store = crate::store::open(&database.database_url).await?;
            let verified = match crate::audit_chain::verify(store.as_ref()).await? {
                Ok(verified) => verified,
                Err(broken) => {
                    println!("the audit log is broken: {broken}");
                    std::process::exit(1)
                }
            };
            for anchor in &anchors {
                if let Err(broken) =
                    crate::audit_chain::check_anchor(store.as_ref(), anchor).await?
                {
                    println!("the audit log is broken: {broken}");
                    std::process::exit(1)
                }
            }
            println!(
                "the audit log is intact: {} entries chained ({} with personal words erased by retention), {} from before the chain began",
                verified.chained, verified.erased, verified.before_chain
            );
            if !anchors.is_empty() {
                println!("it still holds every anchor given ({})", anchors.len());
            }
            println!("head {}", verified.head);
            let (head_id, head_hash) = store.audit_head().await?;
            if head_id > 0 {
                // What the morning digest records: give it back with --anchor to check later.
                println!(
                    "anchor {}",
                    crate::audit_chain::Anchor::of(head_id, &head_hash)
                );
            }
            Ok(())
        }
        Command::User(UserCommand::Add {
            login,
            role,
            staff_id,
            language,
            name,
            database,
        }) => crate::users::add(&database, &login, &role, staff_id, &language, name).await,
        Command::Token(TokenCommand::Create { name, database }) => {
            let store = crate::store::open(&database.database_url).await?;
            let mut secret = [0u8; 32];
            rand::rng().fill_bytes(&mut secret);
            let token = format!("hl_{}", hex::encode(secret));
            let hash = hex::encode(Sha256::digest(token.as_bytes()));
            store
                .create_api_token(&name, &hash, chrono::Utc::now())
                .await?;
            println!("{token}");
            eprintln!(
                "Keep this token: it is shown once. Send it as `Authorization: Bearer <token>`."
            );
            Ok(())
        }
    }
}

/// `hotline backup`.
async fn backup(to: &Path, database: &DatabaseArgs, secrets_file: &Path) -> anyhow::Result<()> {
    let copied = crate::backup::backup(&database.database_url, to).await?;
    match copied.calls {
        Some(calls) => println!(
            "backed up to {} ({} bytes, {calls} calls; SQLite's integrity check passed)",
            copied.to.display(),
            copied.bytes
        ),
        None => println!(
            "backed up to {} ({} bytes, pg_dump custom format; restore with pg_restore)",
            copied.to.display(),
            copied.bytes
        ),
    }
    println!(
        "The copy holds numbers, words and notes sealed: it opens only with this server's \
         secrets (its secrets file or HOTLINE_SECRET_KEY and the previous keys). Back the \
         secrets up separately, and never keep them beside this copy."
    );
    if crate::backup::beside_secrets(to, secrets_file) {
        eprintln!(
            "warning: {} is in the same folder as the secrets file {}: whoever takes one takes \
             both; move the copy elsewhere",
            to.display(),
            secrets_file.display()
        );
    }
    Ok(())
}

/// `hotline erase`: only with the server's own key, which a new one would not be (its hashes
/// would match nothing and the erasure would silently erase nothing).
async fn erase(
    number: &str,
    yes: bool,
    database: &DatabaseArgs,
    secrets: &crate::config::SecretArgs,
) -> anyhow::Result<()> {
    hotline_schedules::PhoneNumber::parse(number)
        .map_err(|error| anyhow::anyhow!("--number: {error}"))?;
    let key = existing_key(secrets)?;
    if !yes {
        anyhow::bail!("this erases her contacts for good; run it again with --yes");
    }
    let store = crate::store::open(&database.database_url).await?;
    let erased = crate::erasure::erase_number(
        store.as_ref(),
        &key,
        number,
        "hotline erase",
        chrono::Utc::now(),
    )
    .await?;
    println!(
        "erased {} calls, {} voicemails, {} conversations, {} texts, {} outgoing texts, {} notes",
        erased.calls,
        erased.voicemails,
        erased.conversations,
        erased.messages,
        erased.outbox,
        erased.notes
    );
    Ok(())
}

/// The server's own key ring; never a new one, which would match and open nothing.
fn existing_key(secrets: &crate::config::SecretArgs) -> anyhow::Result<crate::crypto::DataKey> {
    if secrets.secret_key.is_none() && !secrets.secrets_file.exists() {
        anyhow::bail!(
            "no data key: give HOTLINE_SECRET_KEY or the server's secrets file ({}); a new key would match nothing",
            secrets.secrets_file.display()
        );
    }
    Ok(crate::secrets::Secrets::load(secrets)?.data_key)
}

/// `hotline secrets rotate`.
fn rotate(secrets: &crate::config::SecretArgs) -> anyhow::Result<()> {
    let current = existing_key(secrets)?;
    if let Some(key) = &secrets.secret_key {
        // Configured by environment: say what to set; the operator's deployment sets it.
        let mut previous = vec![key.clone()];
        previous.extend(secrets.previous_secret_keys.iter().cloned());
        println!(
            "HOTLINE_SECRET_KEY={}",
            crate::crypto::DataKey::generate_hex()
        );
        println!("HOTLINE_PREVIOUS_SECRET_KEYS={}", previous.join(","));
        println!("HOTLINE_HASH_KEY={}", current.hash_key_hex());
        eprintln!(
            "Set these on every instance (first add the new key to HOTLINE_PREVIOUS_SECRET_KEYS everywhere if instances restart one by one), then run hotline rekey."
        );
        return Ok(());
    }
    let rotated = crate::secrets::rotate(&secrets.secrets_file)?;
    println!(
        "new data key {} in {}; {} previous keys kept to open what they sealed",
        rotated.key_id,
        secrets.secrets_file.display(),
        rotated.previous
    );
    eprintln!(
        "Restart the server, then run hotline rekey; then the previous keys can be dropped from the file."
    );
    Ok(())
}
