//! The `hotline simulate …` subcommands: options by flag or environment, the conversation printed
//! as it happens.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::script::{
    DEFAULT_FROM, DEFAULT_MAX_STEPS, DEFAULT_OTHER_PHONES, DEFAULT_TO, DEFAULT_VOICEMAIL_SECONDS,
};
use super::{
    Behaviour, CallScript, Event, HangUp, MessageScript, Observer, SimulateError, TokenSigner,
    parse_phone, parse_press, run_call_with, send_texts, signing_token_from_file,
};

#[derive(Debug, Subcommand)]
pub enum SimulateCommand {
    /// Call the hotline as Twilio would, and print the conversation.
    Call(CallArgs),
    /// Text the hotline as Twilio would (SMS, or WhatsApp with --whatsapp); what the hotline
    /// sends on appears in the server's log (its console outbox).
    Message(MessageArgs),
}

#[derive(Debug, Clone, Args)]
pub struct MessageArgs {
    /// Where the hotline server listens.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// The server's public URL, if it has one: Twilio signs over it.
    #[arg(long, env = "HOTLINE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The sender's number: hers, or a staff member's to reply (`K7Q text`) or command.
    #[arg(long, default_value = DEFAULT_FROM)]
    pub from: String,
    /// The hotline number written to.
    #[arg(long, default_value = DEFAULT_TO)]
    pub to: String,
    /// Send as WhatsApp messages rather than SMS.
    #[arg(long)]
    pub whatsapp: bool,
    /// The token requests are signed with; without it, the one the server keeps in its secrets
    /// file.
    #[arg(long, env = "TWILIO_AUTH_TOKEN", hide_env_values = true)]
    pub auth_token: Option<String>,
    /// The secrets file of a server that made its own signing token.
    #[arg(long, env = "HOTLINE_SECRETS_FILE", default_value = "hotline.secrets")]
    pub secrets_file: PathBuf,
    /// The texts, each sent as its own message, in order.
    #[arg(required = true)]
    pub texts: Vec<String>,
}

#[derive(Debug, Clone, Args)]
pub struct CallArgs {
    /// Where the hotline server listens.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// The server's public URL, if it has one: Twilio signs over it.
    #[arg(long, env = "HOTLINE_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The caller's number.
    #[arg(long, default_value = DEFAULT_FROM)]
    pub from: String,
    /// The hotline number dialled.
    #[arg(long, default_value = DEFAULT_TO)]
    pub to: String,
    /// What the caller presses at each menu, in order, e.g. `--digits 1 2`; when they run out,
    /// she presses nothing.
    #[arg(long, num_args = 1.., value_parser = parse_press)]
    pub digits: Vec<String>,
    /// How a staff phone answers, as NUMBER=BEHAVIOUR (accept, decline, no-answer, voicemail,
    /// failed, refuse, hang-up-at-whisper); repeat for each phone.
    #[arg(long = "phone", value_name = "NUMBER=BEHAVIOUR", value_parser = parse_phone)]
    pub phones: Vec<(String, Behaviour)>,
    /// How every phone not named with --phone answers.
    #[arg(long, value_enum, default_value_t = DEFAULT_OTHER_PHONES)]
    pub other_phones: Behaviour,
    /// How long an accepted call lasts, in seconds.
    #[arg(long, default_value_t = 30)]
    pub talk_seconds: u32,
    /// At a voicemail prompt, leave a message (the default).
    #[arg(long, overrides_with = "no_voicemail")]
    pub leave_voicemail: bool,
    /// At a voicemail prompt, hang up instead.
    #[arg(long, overrides_with = "leave_voicemail")]
    pub no_voicemail: bool,
    /// How long a message she leaves, in seconds.
    #[arg(long, default_value_t = DEFAULT_VOICEMAIL_SECONDS)]
    pub voicemail_seconds: u32,
    /// The token requests are signed with; without it, the one the server keeps in its secrets
    /// file.
    #[arg(long, env = "TWILIO_AUTH_TOKEN", hide_env_values = true)]
    pub auth_token: Option<String>,
    /// The secrets file of a server that made its own signing token.
    #[arg(long, env = "HOTLINE_SECRETS_FILE", default_value = "hotline.secrets")]
    pub secrets_file: PathBuf,
    /// The caller hangs up this many seconds into the call.
    #[arg(long, value_name = "SECONDS", conflicts_with = "hang_up_while_ringing")]
    pub hang_up_after: Option<u32>,
    /// The caller hangs up this many seconds after the first staff phone starts ringing.
    #[arg(long, value_name = "SECONDS")]
    pub hang_up_while_ringing: Option<u32>,
    /// Send every request twice, as Twilio's retries do, and report answers that differ.
    #[arg(long)]
    pub duplicate_requests: bool,
    /// Deliver every status callback at the end, in a shuffled order.
    #[arg(long)]
    pub shuffle_status_callbacks: bool,
    /// Seeds the shuffle, to replay an order.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Stop after this many TwiML documents, in case the call loops.
    #[arg(long, default_value_t = DEFAULT_MAX_STEPS)]
    pub max_steps: usize,
    /// Also print every request made and its answer's status.
    #[arg(long, short)]
    pub verbose: bool,
}

impl CallArgs {
    pub fn script(&self) -> CallScript {
        CallScript {
            from: self.from.clone(),
            to: self.to.clone(),
            digits: self.digits.clone(),
            phones: self.phones.clone(),
            other_phones: self.other_phones,
            talk_seconds: self.talk_seconds,
            leave_voicemail: !self.no_voicemail,
            voicemail_seconds: self.voicemail_seconds,
            public_url: self.public_url.clone(),
            max_steps: self.max_steps,
            call_sid: None,
            account_sid: None,
            hang_up: match (self.hang_up_after, self.hang_up_while_ringing) {
                (Some(seconds), _) => Some(HangUp::AfterSeconds(seconds)),
                (None, Some(seconds)) => Some(HangUp::WhileRinging(seconds)),
                (None, None) => None,
            },
            duplicate_requests: self.duplicate_requests,
            shuffle_status_callbacks: self.shuffle_status_callbacks,
            seed: self.seed,
        }
    }
}

pub async fn run(command: SimulateCommand) -> anyhow::Result<()> {
    match command {
        SimulateCommand::Call(args) => call(&args).await,
        SimulateCommand::Message(args) => message(&args).await,
    }
}

async fn message(args: &MessageArgs) -> anyhow::Result<()> {
    let token = match &args.auth_token {
        Some(token) => token.clone(),
        None => signing_token_from_file(&args.secrets_file)?,
    };
    let script = MessageScript {
        from: args.from.clone(),
        to: args.to.clone(),
        whatsapp: args.whatsapp,
        public_url: args.public_url.clone(),
        texts: args.texts.clone(),
    };
    let channel = if args.whatsapp { "WhatsApp" } else { "SMS" };
    match send_texts(&args.url, &script, &TokenSigner(token)).await {
        Ok(sent) => {
            for text in sent {
                println!("{} → {} ({channel}): {}", args.from, args.to, text.text);
                println!(
                    "     kept as {}; nothing texted back directly",
                    text.message_sid
                );
            }
            println!("what the hotline sends on is in the server's log (console outbox)");
            Ok(())
        }
        Err(error) => {
            let hint = hint(&error).map_or_else(String::new, |hint| format!("\n  hint: {hint}"));
            anyhow::bail!("the simulated text stopped: {error}{hint}")
        }
    }
}

async fn call(args: &CallArgs) -> anyhow::Result<()> {
    let token = match &args.auth_token {
        Some(token) => token.clone(),
        None => signing_token_from_file(&args.secrets_file)?,
    };
    let signer = TokenSigner(token);
    let mut print = Printer {
        verbose: args.verbose,
    };
    match run_call_with(&args.url, &args.script(), &signer, &mut print).await {
        Ok(_) => Ok(()),
        Err(error) => {
            let hint = hint(&error).map_or_else(String::new, |hint| format!("\n  hint: {hint}"));
            anyhow::bail!("the simulated call stopped: {error}{hint}")
        }
    }
}

/// Prints the conversation as it happens, each line at its second of the call.
struct Printer {
    verbose: bool,
}

impl Observer for Printer {
    fn event(&mut self, at: u32, event: &Event) {
        if let Some(line) = event.line(self.verbose) {
            println!("{at:>4}s {line}");
        }
    }
}

/// What to try when the server refuses or cannot be reached.
fn hint(error: &SimulateError) -> Option<String> {
    match error {
        SimulateError::HttpStatus { status: 403, .. } => Some(
            "the server refused the signature: sign with the token it uses (--auth-token, or \
             --secrets-file of the directory it runs in), and if it has HOTLINE_PUBLIC_URL, \
             pass the same --public-url"
                .to_owned(),
        ),
        SimulateError::Unreachable { .. } => {
            Some("is `hotline serve` running there? (--url)".to_owned())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(subcommand)]
        command: SimulateCommand,
    }

    fn parse(args: &[&str]) -> Result<CallArgs, clap::Error> {
        let cli = Cli::try_parse_from(["simulate"].iter().chain(args))?;
        match cli.command {
            SimulateCommand::Call(args) => Ok(args),
            SimulateCommand::Message(_) => panic!("a call was asked for"),
        }
    }

    #[test]
    fn by_default_the_person_on_duty_picks_up_and_she_leaves_voicemail() -> Result<(), clap::Error>
    {
        let args = parse(&["call"])?;
        assert_eq!(args.url, "http://127.0.0.1:8080");
        let script = args.script();
        assert_eq!(script.to, "+77010000000");
        assert!(script.from.starts_with("+770"));
        assert_eq!(script.other_phones, Behaviour::Accept);
        assert!(script.leave_voicemail);
        assert_eq!(script.talk_seconds, 30);
        Ok(())
    }

    #[test]
    fn options_become_the_script() -> Result<(), clap::Error> {
        let args = parse(&[
            "call",
            "--phone",
            "+77015550101=no-answer",
            "--phone=+77015550102=voicemail",
            "--other-phones",
            "decline",
            "--no-voicemail",
            "--talk-seconds",
            "5",
            "--digits",
            "1",
            "2#",
        ])?;
        let script = args.script();
        assert_eq!(script.digits, ["1", "2#"]);
        assert_eq!(script.behaviour_of("+77015550101"), Behaviour::NoAnswer);
        assert_eq!(script.behaviour_of("+77015550102"), Behaviour::Voicemail);
        assert_eq!(script.behaviour_of("+77015550100"), Behaviour::Decline);
        assert!(!script.leave_voicemail);
        assert_eq!(script.talk_seconds, 5);
        let last_wins = parse(&["call", "--no-voicemail", "--leave-voicemail"])?;
        assert!(last_wins.script().leave_voicemail);
        let awkward = parse(&[
            "call",
            "--hang-up-while-ringing",
            "7",
            "--duplicate-requests",
            "--shuffle-status-callbacks",
            "--seed",
            "42",
            "--phone",
            "+77015550101=refuse",
        ])?
        .script();
        assert_eq!(awkward.hang_up, Some(HangUp::WhileRinging(7)));
        assert!(awkward.duplicate_requests && awkward.shuffle_status_callbacks);
        assert_eq!(awkward.seed, 42);
        assert_eq!(awkward.behaviour_of("+77015550101"), Behaviour::Refuse);
        let impatient = parse(&["call", "--hang-up-after", "12"])?.script();
        assert_eq!(impatient.hang_up, Some(HangUp::AfterSeconds(12)));
        Ok(())
    }

    #[test]
    fn a_message_names_its_texts_and_may_be_whatsapp() -> Result<(), clap::Error> {
        let cli = Cli::try_parse_from(["simulate", "message", "--whatsapp", "Здравствуйте", "2"])?;
        let SimulateCommand::Message(args) = cli.command else {
            panic!("a message was asked for");
        };
        assert!(args.whatsapp);
        assert_eq!(args.texts, ["Здравствуйте", "2"]);
        assert_eq!(args.to, "+77010000000");
        assert!(
            Cli::try_parse_from(["simulate", "message"]).is_err(),
            "a text is required"
        );
        Ok(())
    }

    #[test]
    fn bad_options_are_refused() {
        assert!(parse(&["call", "--phone", "+77015550101=maybe"]).is_err());
        assert!(parse(&["call", "--digits", "x"]).is_err());
        assert!(parse(&["call", "--other-phones", "sometimes"]).is_err());
        assert!(
            parse(&[
                "call",
                "--hang-up-after",
                "3",
                "--hang-up-while-ringing",
                "3"
            ])
            .is_err(),
            "one moment to hang up"
        );
    }
}
