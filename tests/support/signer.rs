//! Signatures made by Twilio's own Python helper library, so the tests check our server against
//! the reference rather than against our own code.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Mutex, OnceLock};

struct Python {
    _child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
}

/// One Python process for the whole test binary; requests are answered one line at a time.
pub struct TwilioSigner {
    python: Mutex<Python>,
}

impl TwilioSigner {
    pub fn shared() -> &'static TwilioSigner {
        static SIGNER: OnceLock<TwilioSigner> = OnceLock::new();
        SIGNER.get_or_init(|| {
            let script = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/support/twilio_signer.py"
            );
            let mut child = Command::new("python3")
                .arg(script)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .expect("python3 must be installed, with: pip install -r tests/requirements.txt");
            let input = child.stdin.take().expect("piped stdin");
            let output = BufReader::new(child.stdout.take().expect("piped stdout"));
            TwilioSigner {
                python: Mutex::new(Python {
                    _child: child,
                    input,
                    output,
                }),
            }
        })
    }

    /// `X-Twilio-Signature` for a POST to `url` with `params`, as Twilio computes it.
    pub fn sign(&self, token: &str, url: &str, params: &[(String, String)]) -> String {
        self.sign_with(token, url, params, None)
    }

    pub fn sign_with(
        &self,
        token: &str,
        url: &str,
        params: &[(String, String)],
        algorithm: Option<&str>,
    ) -> String {
        let request = serde_json::json!({ "token": token, "url": url, "params": params, "algorithm": algorithm });
        let mut python = self.python.lock().unwrap_or_else(|p| p.into_inner());
        writeln!(python.input, "{request}").expect("write to the Python signer");
        python.input.flush().expect("flush to the Python signer");
        let mut line = String::new();
        python
            .output
            .read_line(&mut line)
            .expect("read from the Python signer");
        assert!(
            !line.is_empty(),
            "the Python signer stopped: pip install -r tests/requirements.txt"
        );
        let answer: serde_json::Value =
            serde_json::from_str(&line).expect("JSON from the Python signer");
        answer["signature"]
            .as_str()
            .expect("a signature")
            .to_owned()
    }
}
