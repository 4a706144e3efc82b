//! `hotline backup --to FILE`: one consistent copy of the records, taken while the server runs
//! and writes. Never overwrites a file. The copy holds her number and words sealed, exactly as
//! the database does: it opens with this server's secrets and nothing else, so the secrets are
//! backed up on their own, never beside the copy.
//!
//! SQLite: `VACUUM INTO`, SQLite's own online copy. It reads in one transaction, so the copy is
//! one snapshot (every write committed before it began, none half), and under WAL the server's
//! writers go on meanwhile. SQLite's C backup API would do as well, but sqlx does not expose
//! it, and `VACUUM INTO` needs nothing else. SQLite does not sync what it wrote, so the copy is
//! synced here before it is called done, then opened and checked (`PRAGMA integrity_check`).
//!
//! PostgreSQL: `pg_dump --format=custom`, which also reads one snapshot while others write; it
//! must be on PATH (the PostgreSQL client tools). The password, if the URL has one, goes to
//! pg_dump in its environment, never on its command line.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{Context, bail};
use sqlx::ConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;

/// What a backup wrote.
#[derive(Debug)]
pub struct Copied {
    pub to: PathBuf,
    pub bytes: u64,
    /// Calls in the copy, read back from it (SQLite only: a dump is not read back).
    pub calls: Option<i64>,
}

/// Copies the records at `database_url` to `to`, which must not exist yet.
pub async fn backup(database_url: &str, to: &Path) -> anyhow::Result<Copied> {
    reserve(to)?;
    let copied = if database_url.starts_with("sqlite:") {
        copy_sqlite(database_url, to).await
    } else if database_url.starts_with("postgres:") || database_url.starts_with("postgresql:") {
        dump_postgres(database_url, to).await
    } else {
        Err(anyhow::anyhow!(
            "unsupported database URL: use sqlite://FILE or postgres://…"
        ))
    };
    match copied {
        Ok(calls) => {
            let bytes = std::fs::metadata(to)?.len();
            Ok(Copied {
                to: to.to_owned(),
                bytes,
                calls,
            })
        }
        Err(error) => {
            // Only the empty or half-written file this backup made itself.
            let _ = std::fs::remove_file(to);
            Err(error)
        }
    }
}

/// Makes `to`, empty and readable by its owner only, or refuses when it exists: a backup never
/// replaces another.
fn reserve(to: &Path) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(to) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == ErrorKind::AlreadyExists => bail!(
            "{} exists: a backup never overwrites a file; name a new one",
            to.display()
        ),
        Err(error) => Err(error).with_context(|| format!("creating {}", to.display())),
    }
}

async fn copy_sqlite(database_url: &str, to: &Path) -> anyhow::Result<Option<i64>> {
    // As it is: never created, never migrated, its journal mode left to the server.
    let mut source = SqliteConnectOptions::from_str(database_url)?
        .create_if_missing(false)
        .busy_timeout(std::time::Duration::from_secs(30))
        .connect()
        .await
        .context("opening the database to back up")?;
    let target = to
        .to_str()
        .context("the backup's path is not valid UTF-8")?;
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(&mut source)
        .await
        .context("copying the database (VACUUM INTO)")?;
    sync(to)?;
    check_sqlite_copy(to).await.map(Some)
}

/// Syncs the file and the folder that names it, so the copy survives a power cut once done.
fn sync(file: &Path) -> anyhow::Result<()> {
    std::fs::File::open(file)?.sync_all()?;
    if let Some(folder) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
        // Not every platform can sync a folder; the file itself is synced above.
        let _ = std::fs::File::open(folder).and_then(|f| f.sync_all());
    }
    Ok(())
}

/// Opens the copy read-only, checks every page of it, and counts its calls.
async fn check_sqlite_copy(copy: &Path) -> anyhow::Result<i64> {
    let mut connection = SqliteConnectOptions::new()
        .filename(copy)
        .read_only(true)
        .connect()
        .await
        .context("opening the copy")?;
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut connection)
        .await?;
    if verdict != "ok" {
        bail!("the copy fails SQLite's integrity check: {verdict}");
    }
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM calls")
        .fetch_one(&mut connection)
        .await?)
}

async fn dump_postgres(database_url: &str, to: &Path) -> anyhow::Result<Option<i64>> {
    let mut url = url::Url::parse(database_url).context("the database URL")?;
    let password = url.password().map(percent_decode);
    let _ = url.set_password(None);
    let mut command = tokio::process::Command::new("pg_dump");
    command
        .arg("--format=custom")
        .arg("--file")
        .arg(to)
        .arg("--dbname")
        .arg(url.as_str());
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    let output = match command.output().await {
        Ok(output) => output,
        Err(error) if error.kind() == ErrorKind::NotFound => bail!(
            "pg_dump is not on PATH: install the PostgreSQL client tools, or run \
             pg_dump --format=custom --file FILE --dbname URL yourself"
        ),
        Err(error) => return Err(error).context("running pg_dump"),
    };
    if !output.status.success() {
        bail!(
            "pg_dump failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    sync(to)?;
    Ok(None)
}

/// A URL's password as typed: `%XX` turned back into its byte (a `+` stays a `+`).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|_| bytes[i] == b'%')
            .and_then(|pair| std::str::from_utf8(pair).ok())
            .and_then(|pair| u8::from_str_radix(pair, 16).ok());
        match hex {
            Some(byte) => {
                decoded.push(byte);
                i += 3;
            }
            None => {
                decoded.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// Whether `copy` would sit in the same folder as the secrets file: then whoever takes one
/// takes both, and the sealing protects nothing.
pub fn beside_secrets(copy: &Path, secrets_file: &Path) -> bool {
    let folder = |path: &Path| {
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
        parent.unwrap_or(Path::new(".")).canonicalize().ok()
    };
    secrets_file.exists() && folder(copy).is_some() && folder(copy) == folder(secrets_file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_exists_is_never_reserved_again() {
        let folder = tempfile::tempdir().expect("a folder");
        let file = folder.path().join("copy.db");
        std::fs::write(&file, b"an earlier backup").expect("written");
        let refused = reserve(&file).expect_err("refused");
        assert!(
            refused.to_string().contains("never overwrites"),
            "{refused}"
        );
        assert_eq!(std::fs::read(&file).expect("read"), b"an earlier backup");
    }

    #[test]
    fn a_copy_in_the_secrets_folder_is_beside_them() {
        let folder = tempfile::tempdir().expect("a folder");
        let secrets = folder.path().join("hotline.secrets");
        std::fs::write(&secrets, b"key").expect("written");
        assert!(beside_secrets(&folder.path().join("copy.db"), &secrets));
        let elsewhere = tempfile::tempdir().expect("a folder");
        assert!(!beside_secrets(&elsewhere.path().join("copy.db"), &secrets));
    }

    #[test]
    fn a_password_in_the_url_is_decoded_for_pg_dump() {
        assert_eq!(percent_decode("p%40ss%2Fword+1%"), "p@ss/word+1%");
    }
}
