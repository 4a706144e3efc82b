//! Whole calls against the real server, played by the Twilio emulator (`hotline::simulate`) and
//! signed by Twilio's own Python library, with the server's clock moving with the call. Each
//! test reads like the call it places: she dials, presses keys, phones ring, someone answers or
//! she leaves a message; then the record must say what happened.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use hotline::clock::{Clock, ManualClock};
use hotline::simulate::{
    Behaviour, CallScript, Event, HangUp, LegStatus, Observer, Signer, Transcript, run_call_with,
};
use hotline::store::{CallLeg, CallOutcome, CallRecord, FollowUp};
use hotline_schedules::Service;

use crate::databases::TestDatabase;
use crate::helpers::{
    AUTH_TOKEN, CALLER, HOTLINE_NUMBER, PUBLIC_URL, TestApp, audit, spawn_app, spawn_app_on,
};

pub const LAWYER: &str = "+77015550101";
pub const BACKUP: &str = "+77015550103";
pub const COORDINATOR: &str = "+77015550100";

/// Signs the emulator's requests with Twilio's own Python library, never with our code.
pub struct TwilioLibrary;

impl Signer for TwilioLibrary {
    fn sign(&self, url: &str, params: &[(String, String)]) -> String {
        crate::signer::TwilioSigner::shared().sign(AUTH_TOKEN, url, params)
    }
}

/// Moves the server's clock with the call's simulated time, so that its wait limit and the
/// times it records see the call as it passes.
struct ServerClock {
    clock: Arc<ManualClock>,
    start: DateTime<Utc>,
}

impl Observer for ServerClock {
    fn before_requests(&mut self, second: u32) {
        self.clock
            .set(self.start + chrono::Duration::seconds(i64::from(second)));
    }
}

/// A call that was placed, with what the server kept of it.
pub struct Placed {
    pub transcript: Transcript,
    pub record: CallRecord,
    pub legs: Vec<CallLeg>,
    pub follow_ups: Vec<FollowUp>,
    pub voicemail: bool,
}

impl TestApp {
    /// She dials the hotline; Twilio's part is played as `script` says.
    pub async fn she_calls(&self, script: CallScript) -> Placed {
        let script = CallScript {
            from: CALLER.to_owned(),
            to: HOTLINE_NUMBER.to_owned(),
            public_url: Some(PUBLIC_URL.to_owned()),
            ..script
        };
        let mut clock = ServerClock {
            clock: self.clock.clone(),
            start: self.clock.now(),
        };
        let transcript = run_call_with(&self.address, &script, &TwilioLibrary, &mut clock)
            .await
            .unwrap_or_else(|error| panic!("the simulated call stopped: {error}"));
        let record = self
            .store
            .call_by_sid(&transcript.call_sid)
            .await
            .expect("read")
            .unwrap_or_else(|| panic!("the call was recorded:\n{transcript}"));
        let legs = self.store.legs(record.id).await.expect("read");
        let follow_ups = self
            .store
            .open_follow_ups()
            .await
            .expect("read")
            .into_iter()
            .filter(|f| f.call_id == Some(record.id))
            .collect();
        let voicemail = self.store.has_voicemail(record.id).await.expect("read");
        Placed {
            transcript,
            record,
            legs,
            follow_ups,
            voicemail,
        }
    }

    /// The id of the staff member with this phone.
    pub async fn staff_id(&self, phone: &str) -> i64 {
        self.store
            .staff()
            .await
            .expect("read")
            .into_iter()
            .find(|p| p.phone.as_e164() == phone)
            .map(|p| p.id)
            .expect("on the staff")
    }
}

impl Placed {
    /// The call as it reads, step by step.
    pub fn story(&self) -> Story<'_> {
        Story {
            transcript: &self.transcript,
            at: 0,
        }
    }

    /// Each leg's recorded result, by staff id, in attempt order.
    pub fn leg_results(&self) -> Vec<(i64, Option<&str>)> {
        self.legs
            .iter()
            .map(|leg| (leg.staff_id, leg.result.as_deref()))
            .collect()
    }

    pub fn follow_up_kinds(&self) -> Vec<&str> {
        self.follow_ups.iter().map(|f| f.kind.as_str()).collect()
    }
}

/// Reads a transcript in order, like the story of the call: each step must come after the one
/// before it, or the test fails showing the whole call.
pub struct Story<'t> {
    transcript: &'t Transcript,
    at: usize,
}

impl Story<'_> {
    fn then(mut self, what: &str, wanted: impl Fn(&Event) -> bool) -> Self {
        match self.transcript.events[self.at..].iter().position(wanted) {
            Some(found) => {
                self.at += found + 1;
                self
            }
            None => panic!("expected next: {what}\nthe call was:\n{}", self.transcript),
        }
    }

    pub fn hears(self, words: &str) -> Self {
        self.then(
            &format!("she hears {words:?}"),
            |e| matches!(e, Event::Heard { text, .. } if text.contains(words)),
        )
    }

    pub fn presses(self, digits: &str) -> Self {
        self.then(
            &format!("she presses {digits}"),
            |e| matches!(e, Event::Pressed(d) if d == digits),
        )
    }

    pub fn presses_nothing(self) -> Self {
        self.then("she presses nothing", |e| {
            matches!(e, Event::NoInput { .. })
        })
    }

    pub fn rings(self, number: &str) -> Self {
        self.then(
            &format!("{number} rings"),
            |e| matches!(e, Event::Ringing { number: n } if n == number),
        )
    }

    pub fn picks_up(self, number: &str) -> Self {
        self.then(
            &format!("{number} picks up"),
            |e| matches!(e, Event::PickedUp { number: n } if n == number),
        )
    }

    /// The person (or machine) on `number` hears the whisper say `words`.
    pub fn whisper_says(self, number: &str, words: &str) -> Self {
        self.then(&format!("{number} hears {words:?}"), |e| {
            matches!(e, Event::StaffHeard { number: n, text, .. } if n == number && text.contains(words))
        })
    }

    /// Nothing is pressed on `number` when the whisper asks: a personal voicemail.
    pub fn stays_silent(self, number: &str) -> Self {
        self.then(
            &format!("{number} presses nothing"),
            |e| matches!(e, Event::StaffSilent { number: n } if n == number),
        )
    }

    pub fn presses_at_whisper(self, number: &str, digits: &str) -> Self {
        self.then(&format!("{number} presses {digits}"), |e| {
            matches!(e, Event::StaffPressed { number: n, digits: d } if n == number && d == digits)
        })
    }

    pub fn does_not_take_the_call(self, number: &str) -> Self {
        self.then(
            &format!("{number} is not put through"),
            |e| matches!(e, Event::NotAnswered { number: n, .. } if n == number),
        )
    }

    pub fn connects_her_to(self, number: &str) -> Self {
        self.then(
            &format!("she is connected to {number}"),
            |e| matches!(e, Event::Connected { number: n } if n == number),
        )
    }

    pub fn leaves_a_message(self) -> Self {
        self.then("she leaves a message", |e| {
            matches!(e, Event::Recorded { .. })
        })
    }

    pub fn hangs_up(self) -> Self {
        self.then("she hangs up", |e| matches!(e, Event::CallerHungUp))
    }
}

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

#[tokio::test]
async fn she_dials_presses_2_and_1_the_lawyers_voicemail_picks_up_and_the_backup_accepts() {
    let app = spawn_app().await;
    let (lawyer, backup) = lawyer_and_backup(&app).await;
    let script = CallScript::default()
        .digits(["2", "1"])
        .phone(LAWYER, Behaviour::Voicemail)
        .phone(BACKUP, Behaviour::Accept);
    let call = app.she_calls(script).await;
    call.story()
        .hears("русский, нажмите 2")
        .hears("102 или 112")
        .presses("2")
        .hears("Юридическая помощь: нажмите 1")
        .presses("1")
        .hears("оставайтесь на линии")
        .rings(LAWYER)
        .picks_up(LAWYER)
        .whisper_says(LAWYER, "нажмите 1")
        .stays_silent(LAWYER)
        .does_not_take_the_call(LAWYER)
        .rings(BACKUP)
        .picks_up(BACKUP)
        .whisper_says(BACKUP, "юридическая помощь, язык: русский")
        .presses_at_whisper(BACKUP, "1")
        .connects_her_to(BACKUP);
    she_never_waited_in_silence(&call);
    assert_eq!(call.record.outcome, Some(CallOutcome::Answered));
    assert_eq!(call.record.answered_by, Some(backup));
    // Silence at the whisper is kept as the server's "no-answer".
    assert_eq!(
        call.leg_results(),
        [(lawyer, Some("no-answer")), (backup, Some("accepted"))]
    );
    assert!(call.follow_ups.is_empty(), "an answered call owes nothing");
}

#[tokio::test]
async fn she_presses_nothing_so_each_menu_is_heard_twice_then_russian_and_legal_help_apply() {
    let app = spawn_app().await;
    lawyer_and_backup(&app).await;
    let call = app.she_calls(CallScript::default()).await;
    call.story()
        .hears("казахский, нажмите 1")
        .presses_nothing()
        .hears("казахский, нажмите 1")
        .presses_nothing()
        .hears("Юридическая помощь: нажмите 1")
        .presses_nothing()
        .hears("Юридическая помощь: нажмите 1")
        .presses_nothing()
        .rings(LAWYER)
        .presses_at_whisper(LAWYER, "1")
        .connects_her_to(LAWYER);
    she_never_waited_in_silence(&call);
    assert_eq!(
        (call.record.language, call.record.service),
        (Some(hotline_schedules::Language::Ru), Some(Service::Legal))
    );
    assert_eq!(call.record.outcome, Some(CallOutcome::Answered));
}

#[tokio::test]
async fn a_key_that_is_not_a_choice_is_said_so_and_the_menu_is_heard_again() {
    let app = spawn_app().await;
    lawyer_and_backup(&app).await;
    let call = app
        .she_calls(CallScript::default().digits(["7", "2", "1"]))
        .await;
    call.story()
        .presses("7")
        .hears("Такого варианта нет")
        .hears("русский, нажмите 2")
        .presses("2")
        .presses("1")
        .connects_her_to(LAWYER);
    she_never_waited_in_silence(&call);
}

#[tokio::test]
async fn with_nobody_on_duty_the_coordinator_is_rung_then_she_leaves_a_message_and_is_owed_a_call()
{
    let app = spawn_app().await;
    app.add_staff("Гульнара", COORDINATOR, vec![], true).await;
    let script = CallScript::default()
        .digits(["2", "1"])
        .phone(COORDINATOR, Behaviour::NoAnswer);
    let call = app.she_calls(script).await;
    call.story()
        .rings(COORDINATOR)
        .does_not_take_the_call(COORDINATOR)
        .hears("102 или 112")
        .leaves_a_message()
        .hears("Ваше сообщение записано");
    she_never_waited_in_silence(&call);
    assert_eq!(call.record.outcome, Some(CallOutcome::Voicemail));
    assert!(call.voicemail, "the message is kept");
    assert_eq!(call.follow_up_kinds(), ["voicemail"]);
}

#[tokio::test]
async fn she_hangs_up_while_the_lawyer_rings_so_the_call_is_abandoned_and_owed_an_answer() {
    let app = spawn_app().await;
    let lawyer = app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    let script = CallScript::default()
        .digits(["2", "1"])
        .phone(LAWYER, Behaviour::NoAnswer)
        .hang_up(HangUp::WhileRinging(8));
    let call = app.she_calls(script).await;
    call.story().rings(LAWYER).hangs_up();
    assert_eq!(
        call.transcript.unanswered_legs(),
        [(LAWYER, LegStatus::Canceled)]
    );
    assert_eq!(
        call.record.outcome,
        Some(CallOutcome::Abandoned),
        "she hung up while it rang:\n{}",
        call.transcript
    );
    assert_eq!(call.follow_up_kinds(), ["abandoned"]);
    assert_eq!(
        call.legs.iter().map(|l| l.staff_id).collect::<Vec<_>>(),
        [lawyer],
        "nobody else was rung"
    );
}

#[tokio::test]
async fn she_hangs_up_while_the_lawyer_rings_and_the_backup_is_never_recorded_as_rung() {
    let app = spawn_app().await;
    let (lawyer, _) = lawyer_and_backup(&app).await;
    let script = CallScript {
        other_phones: Behaviour::NoAnswer,
        ..CallScript::default()
            .digits(["2", "1"])
            .hang_up(HangUp::WhileRinging(8))
    };
    let call = app.she_calls(script).await;
    assert_eq!(call.transcript.rang(), [LAWYER]);
    assert_eq!(call.record.outcome, Some(CallOutcome::Abandoned));
    assert_eq!(
        call.legs.iter().map(|l| l.staff_id).collect::<Vec<_>>(),
        [lawyer],
        "the backup's phone never rang:\n{}",
        call.transcript
    );
}

#[tokio::test]
async fn retries_and_late_shuffled_callbacks_change_nothing() {
    let mut talk_times = Vec::new();
    for (duplicate_requests, shuffle_status_callbacks, seed) in [
        (false, false, 0),
        (true, false, 0),
        (false, true, 1),
        (true, true, 2),
    ] {
        let app = spawn_app().await;
        let (lawyer, backup) = lawyer_and_backup(&app).await;
        let script = CallScript {
            duplicate_requests,
            shuffle_status_callbacks,
            seed,
            ..CallScript::default()
                .digits(["2", "1"])
                .phone(LAWYER, Behaviour::Voicemail)
                .phone(BACKUP, Behaviour::Accept)
        };
        let call = app.she_calls(script).await;
        let case = format!("retries {duplicate_requests}, shuffled {shuffle_status_callbacks}");
        assert_eq!(
            call.transcript.retry_differences(),
            Vec::<&Event>::new(),
            "{case}: {}",
            call.transcript
        );
        let calls = app
            .store
            .calls_between(
                call.record.started_at - chrono::Duration::hours(1),
                call.record.started_at + chrono::Duration::hours(1),
            )
            .await
            .expect("read");
        assert_eq!(calls.len(), 1, "{case}: one record");
        assert_eq!(call.record.outcome, Some(CallOutcome::Answered), "{case}");
        assert_eq!(call.record.answered_by, Some(backup), "{case}");
        assert_eq!(
            call.leg_results(),
            [(lawyer, Some("no-answer")), (backup, Some("accepted"))],
            "{case}"
        );
        talk_times.push(call.legs[1].duration_secs);
        assert!(call.follow_ups.is_empty(), "{case}");
        assert_eq!(
            call.record.duration_secs,
            Some(i64::from(call.transcript.duration())),
            "{case}"
        );
    }
    talk_times.dedup();
    assert_eq!(
        talk_times.len(),
        1,
        "the same talk time each way: {talk_times:?}"
    );
}

#[tokio::test]
async fn a_message_left_with_retries_and_shuffled_callbacks_is_kept_once_and_followed_up_once() {
    let app = spawn_app().await;
    app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    let script = CallScript {
        duplicate_requests: true,
        shuffle_status_callbacks: true,
        seed: 3,
        ..CallScript::default()
            .digits(["2", "1"])
            .phone(LAWYER, Behaviour::Decline)
    };
    let call = app.she_calls(script).await;
    call.story()
        .rings(LAWYER)
        .does_not_take_the_call(LAWYER)
        .leaves_a_message();
    she_never_waited_in_silence(&call);
    assert_eq!(call.record.outcome, Some(CallOutcome::Voicemail));
    assert_eq!(call.follow_up_kinds(), ["voicemail"]);
    assert_eq!(
        app.store.pending_outbox(50).await.expect("read").len(),
        1,
        "the lawyer on duty is told once"
    );
}

#[tokio::test]
async fn on_a_simultaneous_line_both_phones_accept_at_once_and_exactly_one_wins() {
    // Both presses reach the server at the same instant; each store must let one win.
    for app in [
        spawn_app().await,
        spawn_app_on(TestDatabase::postgres().await).await,
    ] {
        both_accept_at_once(&app).await;
    }
}

async fn both_accept_at_once(app: &TestApp) {
    lawyer_and_backup(app).await;
    app.store
        .put_line("default", r#"{"ring":"simultaneous"}"#, &audit())
        .await
        .expect("kept");
    let script = CallScript::default()
        .digits(["2", "1"])
        .phone(LAWYER, Behaviour::Accept)
        .phone(BACKUP, Behaviour::Accept);
    let call = app.she_calls(script).await;
    call.story()
        .rings(LAWYER)
        .rings(BACKUP)
        .presses_at_whisper(LAWYER, "1")
        .presses_at_whisper(BACKUP, "1");
    let winner = call
        .transcript
        .connected_to()
        .unwrap_or_else(|| panic!("someone takes the call:\n{}", call.transcript))
        .to_owned();
    let loser = if winner == LAWYER { BACKUP } else { LAWYER };
    call.story()
        .whisper_says(loser, "уже принят")
        .does_not_take_the_call(loser);
    assert!(
        !call
            .transcript
            .events
            .iter()
            .any(|e| matches!(e, Event::AcceptedTooLate { .. })),
        "only one was told the call is theirs:\n{}",
        call.transcript
    );
    assert_eq!(call.record.answered_by, Some(app.staff_id(&winner).await));
    let results: Vec<Option<&str>> = call.legs.iter().map(|l| l.result.as_deref()).collect();
    assert!(
        results.contains(&Some("accepted")) && results.contains(&Some("too-late")),
        "{results:?}"
    );
    she_never_waited_in_silence(&call);
}

#[tokio::test]
async fn the_lawyer_presses_2_the_backups_phone_fails_and_the_coordinator_accepts() {
    let app = spawn_app().await;
    let (lawyer, backup) = lawyer_and_backup(&app).await;
    let coordinator = app.add_staff("Гульнара", COORDINATOR, vec![], true).await;
    let script = CallScript::default()
        .digits(["2", "1"])
        .phone(LAWYER, Behaviour::Refuse)
        .phone(BACKUP, Behaviour::Failed)
        .phone(COORDINATOR, Behaviour::Accept);
    let call = app.she_calls(script).await;
    call.story()
        .rings(LAWYER)
        .presses_at_whisper(LAWYER, "2")
        .does_not_take_the_call(LAWYER)
        .hears("Пробуем связаться с другим")
        .rings(BACKUP)
        .does_not_take_the_call(BACKUP)
        .rings(COORDINATOR)
        .presses_at_whisper(COORDINATOR, "1")
        .connects_her_to(COORDINATOR);
    she_never_waited_in_silence(&call);
    assert_eq!(call.record.answered_by, Some(coordinator));
    assert_eq!(
        call.leg_results(),
        [
            (lawyer, Some("declined")),
            (backup, Some("failed")),
            (coordinator, Some("accepted"))
        ]
    );
    let texts = app.store.pending_outbox(10).await.expect("read");
    assert!(
        texts.iter().any(|text| app
            .data_key
            .open(&text.body_sealed)
            .is_ok_and(|body| body.contains("провайдер не смог"))),
        "the coordinator is told the provider failed"
    );
}

#[tokio::test]
async fn on_a_simultaneous_line_late_leg_callbacks_still_tell_who_was_busy() {
    let app = spawn_app().await;
    let (lawyer, backup) = lawyer_and_backup(&app).await;
    app.store
        .put_line("default", r#"{"ring":"simultaneous"}"#, &audit())
        .await
        .expect("kept");
    // The leg callbacks arrive after the dial's action, as they may over the internet.
    let script = CallScript {
        shuffle_status_callbacks: true,
        ..CallScript::default()
            .digits(["2", "1"])
            .phone(LAWYER, Behaviour::Decline)
            .phone(BACKUP, Behaviour::Accept)
    };
    let call = app.she_calls(script).await;
    call.story()
        .rings(LAWYER)
        .rings(BACKUP)
        .does_not_take_the_call(LAWYER)
        .connects_her_to(BACKUP);
    assert_eq!(
        call.leg_results(),
        [(lawyer, Some("busy")), (backup, Some("accepted"))],
        "the lawyer declined; she was not merely cut off:\n{}",
        call.transcript
    );
}
