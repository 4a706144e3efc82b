//! Whole calls against the real server, played by the Twilio emulator (`hotline::simulate`) and
//! signed by Twilio's own Python library, with the server's clock moving with the call. Each
//! test reads like the call it places: she dials, presses keys, phones ring, someone answers or
//! she leaves a message; then the record must say what happened. This file holds the people on
//! duty and what every call must show; placing a call is in `placing`, reading it back in
//! `story`, and the stories themselves are by subject in the other modules.

mod menus;
mod placing;
mod retries;
mod rollover;
mod simultaneous;
mod story;
mod unanswered;

use hotline::simulate::Event;
use hotline_schedules::Service;

use crate::helpers::TestApp;

pub use placing::Placed;

pub const LAWYER: &str = "+77015550101";
pub const BACKUP: &str = "+77015550103";
pub const COORDINATOR: &str = "+77015550100";

/// A lawyer on duty and a backup, both speaking Kazakh and Russian.
async fn lawyer_and_backup(app: &TestApp) -> (i64, i64) {
    let lawyer = app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    let backup = app.on_duty_at("Сауле", BACKUP, Service::Legal, 1).await;
    (lawyer, backup)
}

/// What every call must show, whatever happened in it.
fn she_never_waited_in_silence(call: &Placed) {
    assert_eq!(
        call.transcript.silences(),
        [],
        "she waited in silence:\n{}",
        call.transcript
    );
    assert_eq!(
        call.transcript.retry_differences(),
        Vec::<&Event>::new(),
        "a retry changed an answer"
    );
}
