//! What someone trying the hotline does first: import the example rota, serve with nothing
//! configured, and place a call with `hotline simulate call`.

use crate::binary::{hotline_untouched, serve, stop};

#[test]
fn a_simulated_call_reaches_the_person_on_duty_in_the_example_rota() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let rota = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rota.toml");
    let import = hotline_untouched(dir.path())
        .args(["import", rota])
        .output()
        .expect("import runs");
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    let (server, url, logs) = serve(hotline_untouched(dir.path()));

    let call = hotline_untouched(dir.path())
        .args(["simulate", "call", "--url", &url])
        .output()
        .expect("simulate runs");
    let said = String::from_utf8_lossy(&call.stdout).into_owned();
    let missed = hotline_untouched(dir.path())
        .args([
            "simulate",
            "call",
            "--url",
            &url,
            "--phone",
            "+77015550101=no-answer",
            "--phone",
            "+77015550102=no-answer",
        ])
        .args(["--phone", "+77015550100=no-answer"])
        .output()
        .expect("simulate runs");
    let missed_said = String::from_utf8_lossy(&missed.stdout).into_owned();
    let (_, logs) = stop(server, logs);

    assert!(
        call.status.success(),
        "{said}\n{}",
        String::from_utf8_lossy(&call.stderr)
    );
    assert!(
        said.contains("connected to +77015550101"),
        "the lawyer on duty answers:\n{said}"
    );
    assert!(
        missed.status.success(),
        "{missed_said}\n{}",
        String::from_utf8_lossy(&missed.stderr)
    );
    assert!(
        missed_said.contains("102 или 112") && missed_said.contains("Спасибо"),
        "nobody answers: voicemail\n{missed_said}"
    );
    assert!(
        logs.contains("console outbox: message"),
        "the coordinator's text is printed:\n{logs}"
    );
}
