//! The server under load: a release `hotline serve` on a fresh database, started and killed
//! here, with the example rota imported first and its memory read from `/proc`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, bail};

use crate::StoreKind;

/// The token the server checks webhook signatures with, and the bench signs with.
pub const AUTH_TOKEN: &str = "bench-auth-token-0123456789abcdef";

/// Builds the server as released (a no-op when it is fresh) and returns its path.
pub fn build_release() -> anyhow::Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let status = Command::new(cargo)
        .args(["build", "--release", "--bin", "hotline"])
        .current_dir(&root)
        .status()
        .context("running cargo to build the server")?;
    if !status.success() {
        bail!("building the release server failed");
    }
    let own = std::env::current_exe()?;
    let path = own
        .parent()
        .context("this binary's folder")?
        .join("hotline");
    if !path.exists() {
        bail!("no server at {}: pass --hotline PATH", path.display());
    }
    Ok(path)
}

/// A fresh database: a SQLite file in its own folder, or a new PostgreSQL database.
pub struct Database {
    pub kind: StoreKind,
    pub url: String,
    pub folder: PathBuf,
    postgres_name: Option<String>,
}

impl Database {
    pub async fn fresh(kind: StoreKind, admin_url: &str) -> anyhow::Result<Self> {
        let id = hex::encode(rand::random::<[u8; 6]>());
        let folder = std::env::temp_dir().join(format!("hotline-load-{id}"));
        std::fs::create_dir_all(&folder)?;
        match kind {
            StoreKind::Sqlite => Ok(Self {
                kind,
                url: format!("sqlite://{}", folder.join("hotline.db").display()),
                folder,
                postgres_name: None,
            }),
            StoreKind::Postgres => {
                use sqlx::Connection;
                let name = format!("hotline_load_{id}");
                let mut admin = sqlx::PgConnection::connect(admin_url)
                    .await
                    .with_context(|| format!("PostgreSQL must be running at {admin_url}"))?;
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut admin)
                    .await?;
                let mut url = url::Url::parse(admin_url)?;
                url.set_path(&name);
                Ok(Self {
                    kind,
                    url: url.to_string(),
                    folder,
                    postgres_name: Some(name),
                })
            }
        }
    }

    /// Drops the PostgreSQL database; the SQLite folder is left for a look (its path is printed).
    pub async fn drop_if_postgres(&self, admin_url: &str) {
        use sqlx::Connection;
        let Some(name) = &self.postgres_name else {
            return;
        };
        if let Ok(mut admin) = sqlx::PgConnection::connect(admin_url).await {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut admin)
            .await;
        }
    }
}

/// Memory of the server process, in kB, as `/proc/PID/status` tells it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Memory {
    pub rss_kb: u64,
    pub hwm_kb: u64,
}

pub struct Served {
    child: Child,
    port: u16,
}

impl Served {
    /// Imports the rota, starts `hotline serve` on a free port and waits until `/healthz` answers.
    pub async fn start(hotline: &Path, database: &Database, rota: &Path) -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let env = |command: &mut Command| {
            command
                .env("HOTLINE_DATABASE_URL", &database.url)
                .env(
                    "HOTLINE_SECRETS_FILE",
                    database.folder.join("hotline.secrets"),
                )
                .env("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
                .env("HOTLINE_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
                .env("HOTLINE_LISTEN", format!("127.0.0.1:{port}"))
                .env("HOTLINE_PROMPTS_DIR", database.folder.join("prompts"))
                .env_remove("TWILIO_ACCOUNT_SID")
                .current_dir(&database.folder);
        };
        let mut import = Command::new(hotline);
        import.arg("import").arg(rota);
        env(&mut import);
        let out = import.output().context("running hotline import")?;
        if !out.status.success() {
            bail!(
                "hotline import failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let log = std::fs::File::create(database.folder.join("server.log"))?;
        let mut serve = Command::new(hotline);
        serve
            .arg("serve")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        env(&mut serve);
        let child = serve.spawn().context("starting hotline serve")?;
        let served = Self { child, port };
        let client = reqwest::Client::builder().no_proxy().build()?;
        for _ in 0..200 {
            if let Ok(answer) = client
                .get(format!("{}/healthz", served.base()))
                .send()
                .await
                && answer.status().is_success()
            {
                // Let the server's start-up work (jobs, outbox) settle before idle is read.
                tokio::time::sleep(Duration::from_secs(1)).await;
                return Ok(served);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!(
            "the server did not answer /healthz; see {}",
            database.folder.join("server.log").display()
        )
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn memory(&self) -> anyhow::Result<Memory> {
        read_memory(self.child.id())
    }

    /// Reads the resident set every 100 ms until stopped; gives the largest seen and the
    /// kernel's high-water mark.
    pub fn sample_memory(&self) -> Sampler {
        let pid = self.child.id();
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(0));
        let task = tokio::spawn({
            let (stop, peak) = (stop.clone(), peak.clone());
            async move {
                let mut last = Memory::default();
                while !stop.load(Ordering::Relaxed) {
                    if let Ok(memory) = read_memory(pid) {
                        peak.fetch_max(memory.rss_kb, Ordering::Relaxed);
                        last = memory;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                last
            }
        });
        Sampler { stop, peak, task }
    }

    /// Kills the server at once (SIGKILL): what it answered must already be on disk.
    pub fn kill(&mut self) -> anyhow::Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Sampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<Memory>,
}

impl Sampler {
    pub async fn stop(self) -> Memory {
        self.stop.store(true, Ordering::Relaxed);
        let last = self.task.await.unwrap_or_default();
        Memory {
            rss_kb: self.peak.load(Ordering::Relaxed),
            hwm_kb: last.hwm_kb,
        }
    }
}

fn read_memory(pid: u32) -> anyhow::Result<Memory> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    Ok(Memory {
        rss_kb: field("VmRSS:"),
        hwm_kb: field("VmHWM:"),
    })
}
