//! The server's configuration, by flag or environment variable, every one optional: with none
//! set, `hotline serve` runs the whole system on an embedded SQLite file.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Where the records live: `sqlite://FILE` for one machine, `postgres://…` for several.
    #[arg(
        long,
        env = "HOTLINE_DATABASE_URL",
        default_value = "sqlite://hotline.db"
    )]
    pub database_url: String,
}

#[derive(Debug, Clone, Args)]
pub struct SecretArgs {
    /// 64 hex digits that seal personal data at rest; without it the server makes one and keeps
    /// it in the secrets file.
    #[arg(long, env = "HOTLINE_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// Keys rotated out, comma-separated: they still open what they sealed until `hotline
    /// rekey` has sealed it again with the current key.
    #[arg(
        long,
        env = "HOTLINE_PREVIOUS_SECRET_KEYS",
        hide_env_values = true,
        value_delimiter = ','
    )]
    pub previous_secret_keys: Vec<String>,
    /// The key numbers are hashed with, pinned when the first key is rotated out, so numbers
    /// keep matching their earlier contacts, consents and blocks.
    #[arg(long, env = "HOTLINE_HASH_KEY", hide_env_values = true)]
    pub hash_key: Option<String>,
    /// Where the server keeps the secrets it makes for itself.
    #[arg(long, env = "HOTLINE_SECRETS_FILE", default_value = "hotline.secrets")]
    pub secrets_file: PathBuf,
    /// The token Twilio signs webhooks with; without it the server makes one for `hotline simulate`.
    #[arg(long, env = "TWILIO_AUTH_TOKEN", hide_env_values = true)]
    pub twilio_auth_token: Option<String>,
    /// The previous or secondary auth token, still accepted while a token is rotated.
    #[arg(long, env = "TWILIO_SECONDARY_AUTH_TOKEN", hide_env_values = true)]
    pub twilio_secondary_auth_token: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub secrets: SecretArgs,
    /// The address and port to listen on.
    #[arg(long, env = "HOTLINE_LISTEN", default_value = "0.0.0.0:8080")]
    pub listen: SocketAddr,
    /// The URL Twilio calls, like `https://hotline.example.org`; webhook signatures cover it.
    /// Without it, the URL is taken from each request's Host header over plain HTTP.
    #[arg(long, env = "HOTLINE_PUBLIC_URL")]
    pub public_url: Option<url::Url>,
    /// With TWILIO_AUTH_TOKEN, texts go out through Twilio; without, to this console.
    #[arg(long, env = "TWILIO_ACCOUNT_SID")]
    pub twilio_account_sid: Option<String>,
    /// The hotline number texts are sent from (E.164); WhatsApp messages from `whatsapp:` and it.
    #[arg(long, env = "TWILIO_FROM_NUMBER")]
    pub twilio_from_number: Option<String>,
    /// A Twilio-compatible provider or a mock.
    #[arg(
        long,
        env = "TWILIO_API_BASE",
        default_value = "https://api.twilio.com"
    )]
    pub twilio_api_base: url::Url,
    /// Recorded prompts (Kazakh ones above all) served at `/prompts/FILE` for lines to `<Play>`.
    #[arg(long, env = "HOTLINE_PROMPTS_DIR", default_value = "prompts")]
    pub prompts_dir: PathBuf,
    /// Seconds a claim on a job or a text holds: what a crashed server held is taken up again
    /// after it. Each request to the provider is cut off at a third of it (20 s at most), so a
    /// request is over before its claim is.
    #[arg(long, env = "HOTLINE_LEASE_SECONDS", default_value_t = 120,
          value_parser = clap::value_parser!(u64).range(10..=600))]
    pub lease_seconds: u64,
    /// Proxies (comma-separated addresses or networks, like `10.0.0.0/8`) whose `Fly-Client-IP`
    /// or `X-Forwarded-For` names the client whose failed sign-ins are counted. From any other
    /// peer those headers are ignored; with none given, the peer's own address counts.
    #[arg(long, env = "HOTLINE_TRUSTED_PROXIES", default_value = "",
          value_parser = crate::web::client_address::TrustedProxies::parse)]
    pub trusted_proxies: crate::web::client_address::TrustedProxies,
    #[command(flatten)]
    pub outbox: OutboxArgs,
    #[command(flatten)]
    pub reminders: ReminderArgs,
    #[command(flatten)]
    pub schedule: ScheduleArgs,
}

impl ServeArgs {
    /// How long a claim on a job or a text holds.
    pub fn lease(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.lease_seconds)
    }
}

/// The hotline's time zone, and when the server's own work comes round.
#[derive(Debug, Clone, Args)]
pub struct ScheduleArgs {
    /// The hotline's time zone: the digest's day and the times in texts are read in it.
    #[arg(long, env = "HOTLINE_TIMEZONE", default_value = "Asia/Almaty")]
    pub timezone: chrono_tz::Tz,
    /// When the coordinators get the digest of the day before: a cron expression (minute hour
    /// day-of-month month day-of-week) in the hotline's time zone.
    #[arg(long, env = "HOTLINE_DIGEST_CRON", default_value = crate::jobs::settings::DIGEST)]
    pub digest_cron: hotline_schedules::Recurrence,
    /// Hours before a shift starts that its person is reminded of it.
    #[arg(long, env = "HOTLINE_SHIFT_REMINDER_HOURS", default_value_t = 12,
          value_parser = clap::value_parser!(u32).range(1..=168))]
    pub shift_reminder_hours: u32,
    /// Days ahead within which a change to someone's shifts is texted to them.
    #[arg(long, env = "HOTLINE_SHIFT_NOTICE_DAYS", default_value_t = 14,
          value_parser = clap::value_parser!(u32).range(1..=90))]
    pub shift_notice_days: u32,
    /// Hours ahead within which a gap in the rota is texted to the coordinators.
    #[arg(long, env = "HOTLINE_GAP_ALERT_HOURS", default_value_t = 48,
          value_parser = clap::value_parser!(u32).range(1..=720))]
    pub gap_alert_hours: u32,
    /// Days after a contact is closed that her number, texts and recordings are erased (the
    /// counts stay).
    #[arg(long, env = "HOTLINE_RETENTION_DAYS", default_value_t = 180,
          value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub retention_days: u32,
}

impl ScheduleArgs {
    pub fn settings(&self) -> crate::jobs::settings::ScheduleSettings {
        crate::jobs::settings::ScheduleSettings {
            zone: self.timezone,
            digest: self.digest_cron.clone(),
            shift_reminder_lead: chrono::Duration::hours(i64::from(self.shift_reminder_hours)),
            shift_notice_ahead: chrono::Duration::days(i64::from(self.shift_notice_days)),
            gap_alert_ahead: chrono::Duration::hours(i64::from(self.gap_alert_hours)),
            retention: chrono::Duration::days(i64::from(self.retention_days)),
        }
    }
}

/// How missed contacts are reminded of until someone answers.
#[derive(Debug, Clone, Args)]
pub struct ReminderArgs {
    /// Minutes between two reminders about a missed call or an unanswered text.
    #[arg(long, env = "HOTLINE_REMINDER_EVERY_MINUTES", default_value_t = 15,
          value_parser = clap::value_parser!(u32).range(1..=1440))]
    pub reminder_every_minutes: u32,
    /// Unanswered reminders before the backup is added (and as many again before the
    /// coordinators are).
    #[arg(long, env = "HOTLINE_REMINDERS_PER_LEVEL", default_value_t = 3,
          value_parser = clap::value_parser!(u32).range(1..=100))]
    pub reminders_per_level: u32,
}

impl ReminderArgs {
    pub fn settings(&self) -> hotline_routes::follow_up::ReminderSettings {
        hotline_routes::follow_up::ReminderSettings {
            interval: chrono::Duration::minutes(i64::from(self.reminder_every_minutes)),
            per_level: self.reminders_per_level,
        }
    }
}

/// How fast the outbox may send texts.
#[derive(Debug, Clone, Args)]
pub struct OutboxArgs {
    /// Texts per second overall, on average.
    #[arg(long, env = "HOTLINE_OUTBOX_PER_SECOND", default_value_t = 5.0)]
    pub outbox_per_second: f64,
    /// Texts that may go at once after a quiet spell.
    #[arg(long, env = "HOTLINE_OUTBOX_BURST", default_value_t = 10)]
    pub outbox_burst: u32,
    /// Texts to one number in any minute.
    #[arg(
        long,
        env = "HOTLINE_OUTBOX_PER_RECIPIENT_PER_MINUTE",
        default_value_t = 6
    )]
    pub outbox_per_recipient_per_minute: u32,
}
