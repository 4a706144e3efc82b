//! Prism serving Twilio's own OpenAPI description as a validating mock: the peer that checks
//! every request the outbox sends is one Twilio would accept. One prism for the whole test
//! binary, started on first use from `npx --yes @stoplight/prism-cli@5`, and stopped when the
//! binary exits (a shell wrapper reads our pipe and stops prism's process group at its end).
//! If it cannot start, the test fails and says how to install it: it is never skipped.

use std::io::Read;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const SPEC: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/twilio/twilio_api_v2010.json"
);
const HOW_TO_INSTALL: &str = "prism is needed for these tests: install Node.js 20 and npm, then \
     `npx --yes @stoplight/prism-cli@5 --version` (it needs the npm registry once; .ci/run does it)";
/// The first start may download prism into npx's cache.
const START_LIMIT: Duration = Duration::from_secs(180);
/// Runs prism in its own process group until our end of its stdin closes (then stops the
/// group), or until prism itself exits (then says so at once).
const WRAPPER: &str = r#"set -m
command -v npx >/dev/null || { echo "npx is not installed" >&2; exit 127; }
npx --yes @stoplight/prism-cli@5 mock -h 127.0.0.1 -p "$1" "$2" &
child=$!
( read -r _ || true; kill -TERM -- "-$child" 2>/dev/null ) &
wait "$child""#;

pub struct Prism {
    pub base: url::Url,
    _child: Child,
    /// Held open for the life of the test binary: its closing tells the wrapper to stop prism.
    _stdin: ChildStdin,
}

/// The shared prism, started on first use.
pub fn prism() -> &'static Prism {
    static PRISM: OnceLock<Result<Prism, String>> = OnceLock::new();
    match PRISM.get_or_init(start) {
        Ok(prism) => prism,
        Err(error) => panic!("{error}\n{HOW_TO_INSTALL}"),
    }
}

fn start() -> Result<Prism, String> {
    let spec = spec_copy()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free port: {e}"))?
        .port();
    let log_path =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("prism-{port}.log"));
    let log = std::fs::File::create(&log_path).map_err(|e| format!("prism's log: {e}"))?;
    let mut child = Command::new("bash")
        .args(["-c", WRAPPER, "prism"])
        .arg(port.to_string())
        .arg(&spec)
        .stdin(Stdio::piped())
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log)
        .spawn()
        .map_err(|e| format!("could not run bash to start prism: {e}"))?;
    let stdin = child.stdin.take().ok_or("no stdin for prism")?;
    let started = Instant::now();
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        let exited = child.try_wait().map_err(|e| e.to_string())?;
        if exited.is_some() || started.elapsed() > START_LIMIT {
            let mut said = String::new();
            let _ = std::fs::File::open(&log_path).and_then(|mut f| f.read_to_string(&mut said));
            return Err(format!(
                "prism did not start ({exited:?}); it said:\n{said}"
            ));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Ok(Prism {
        base: url::Url::parse(&format!("http://127.0.0.1:{port}")).map_err(|e| e.to_string())?,
        _child: child,
        _stdin: stdin,
    })
}

/// A copy of Twilio's description in which form bodies take arrays as repeated keys
/// (`StatusCallbackEvent=a&StatusCallbackEvent=b`), the way Twilio does: without
/// `encoding: {Field: {style: form, explode: true}}` prism refuses them as "must be array".
fn spec_copy() -> Result<std::path::PathBuf, String> {
    // A checkout elsewhere (a git worktree) names the description's place.
    let spec_path = std::env::var("HOTLINE_TWILIO_SPEC").unwrap_or_else(|_| SPEC.to_owned());
    let text = std::fs::read_to_string(&spec_path).map_err(|e| {
        format!("Twilio's API description is missing at {spec_path} (the shared/ folder beside the repository, or HOTLINE_TWILIO_SPEC): {e}")
    })?;
    let mut spec: Value = serde_json::from_str(&text).map_err(|e| format!("{spec_path}: {e}"))?;
    let paths = spec
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .ok_or("the description has no paths")?;
    for operation in paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|p| p.values_mut())
    {
        let Some(form) =
            operation.pointer_mut("/requestBody/content/application~1x-www-form-urlencoded")
        else {
            continue;
        };
        let arrays: Vec<String> = form
            .pointer("/schema/properties")
            .and_then(Value::as_object)
            .map(|properties| {
                properties
                    .iter()
                    .filter(|(_, p)| p.get("type") == Some(&json!("array")))
                    .map(|(name, _)| name.clone())
                    .collect()
            })
            .unwrap_or_default();
        if arrays.is_empty() {
            continue;
        }
        let encoding: serde_json::Map<String, Value> = arrays
            .into_iter()
            .map(|name| (name, json!({"style": "form", "explode": true})))
            .collect();
        form["encoding"] = Value::Object(encoding);
    }
    let folder = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let copy = folder.join("twilio_api_v2010.prism.json");
    // Written aside and renamed, so a prism of another test run never reads half a file.
    let aside = folder.join(format!(
        "twilio_api_v2010.prism.{}.json",
        std::process::id()
    ));
    std::fs::write(&aside, spec.to_string()).map_err(|e| format!("{}: {e}", aside.display()))?;
    std::fs::rename(&aside, &copy).map_err(|e| format!("{}: {e}", copy.display()))?;
    Ok(copy)
}
