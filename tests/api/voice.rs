//! The call flow as a caller and the staff live it: she dials, the person on duty rings, someone
//! answers or she leaves a voicemail, and the record tells what happened.

use hotline::store::{CallOutcome, CallStage};
use hotline_routes::twiml::{Verb, VoiceResponse, parse};
use hotline_schedules::Service;

use crate::databases::TestDatabase;
use crate::helpers::{
    CALLER, HOTLINE_NUMBER, TestApp, incoming_call, params, spawn_app, spawn_app_on,
};

const LAWYER: &str = "+77015550101";
const PSYCHOLOGIST: &str = "+77015550102";
const COORDINATOR: &str = "+77015550100";

/// What the server told Twilio to do, read back with our TwiML parser.
async fn twiml(response: reqwest::Response) -> VoiceResponse {
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(content_type.starts_with("text/xml"), "{content_type}");
    parse(&response.text().await.expect("a body")).expect("valid TwiML")
}

/// The numbers a `<Dial>` rings, its caller id and action, if the document dials.
fn dialled(twiml: &VoiceResponse) -> Option<(Vec<String>, Option<String>, Option<String>)> {
    twiml.verbs.iter().find_map(|verb| match verb {
        Verb::Dial(dial) => Some((
            dial.callees
                .phone_numbers()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            dial.caller_id.clone(),
            dial.action.clone(),
        )),
        _ => None,
    })
}

fn records_voicemail(twiml: &VoiceResponse) -> bool {
    twiml
        .verbs
        .iter()
        .any(|verb| matches!(verb, Verb::Record(_)))
}

fn spoken(twiml: &VoiceResponse) -> String {
    twiml
        .verbs
        .iter()
        .filter_map(|verb| match verb {
            Verb::Say(say) => Some(say.text.clone()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl TestApp {
    async fn caller_dials(&self, call_sid: &str) -> VoiceResponse {
        twiml(
            self.post_signed("/webhooks/voice", &incoming_call(call_sid))
                .await,
        )
        .await
    }

    async fn dial_ends(
        &self,
        call_sid: &str,
        action: &str,
        status: &str,
        seconds: &str,
    ) -> VoiceResponse {
        let pairs = params(&[
            ("CallSid", call_sid),
            ("DialCallStatus", status),
            ("DialCallSid", "CA99990000000000000000000000000001"),
            ("DialCallDuration", seconds),
        ]);
        twiml(self.post_signed(action, &pairs).await).await
    }

    async fn call_ends(&self, call_sid: &str, sequence: &str) {
        let pairs = params(&[
            ("CallSid", call_sid),
            ("CallStatus", "completed"),
            ("CallDuration", "95"),
            ("SequenceNumber", sequence),
        ]);
        assert_eq!(
            self.post_signed("/webhooks/voice/status", &pairs)
                .await
                .status(),
            204
        );
    }

    async fn leaves_voicemail(&self, call_sid: &str) -> VoiceResponse {
        twiml(
            self.post_signed("/webhooks/voice/voicemail", &voicemail(call_sid))
                .await,
        )
        .await
    }
}

fn voicemail(call_sid: &str) -> Vec<(String, String)> {
    params(&[
        ("CallSid", call_sid),
        ("RecordingSid", "RE0123456789abcdef0123456789abcdef"),
        (
            "RecordingUrl",
            "https://api.twilio.com/2010-04-01/Accounts/AC01/Recordings/RE0123456789abcdef0123456789abcdef",
        ),
        ("RecordingDuration", "14"),
    ])
}

async fn a_call_reaches_the_lawyer_on_duty(app: TestApp) {
    let lawyer = app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;

    // She dials; the lawyer's phone rings, showing the hotline's number, never hers.
    let answer = app.caller_dials("CA0001").await;
    let (numbers, caller_id, action) = dialled(&answer).expect("the person on duty is dialled");
    assert_eq!(numbers, vec![LAWYER]);
    assert_eq!(caller_id.as_deref(), Some(HOTLINE_NUMBER));
    assert!(
        !spoken(&answer).is_empty(),
        "she hears a hold message, not silence"
    );

    // The lawyer answers and they talk for two minutes; then the call ends.
    let after = app
        .dial_ends(
            "CA0001",
            &action.expect("an action URL"),
            "completed",
            "120",
        )
        .await;
    assert_eq!(after.verbs, vec![Verb::Hangup]);
    app.call_ends("CA0001", "3").await;

    let call = app
        .store
        .call_by_sid("CA0001")
        .await
        .expect("read")
        .expect("recorded");
    assert_eq!(call.outcome, Some(CallOutcome::Answered));
    assert_eq!(call.answered_by, Some(lawyer));
    assert_eq!(
        (call.status.as_str(), call.duration_secs),
        ("completed", Some(95))
    );
    let (answered_at, ended_at) = (
        call.answered_at.expect("answered"),
        call.ended_at.expect("ended"),
    );
    let talked = (ended_at - answered_at).num_seconds();
    assert!(
        (119..=130).contains(&talked),
        "answered two minutes before it ended, not {talked}s"
    );
    assert_eq!(
        app.data_key.open(&call.caller_sealed).expect("opens"),
        CALLER
    );
    assert_eq!(call.caller_hash, app.data_key.hash(CALLER));
    let legs = app.store.legs(call.id).await.expect("read");
    assert_eq!(legs.len(), 1);
    assert_eq!(legs[0].result.as_deref(), Some("completed"));
}

#[tokio::test]
async fn a_call_reaches_the_lawyer_on_duty_on_sqlite() {
    a_call_reaches_the_lawyer_on_duty(spawn_app().await).await;
}

#[tokio::test]
async fn a_call_reaches_the_lawyer_on_duty_on_postgres() {
    a_call_reaches_the_lawyer_on_duty(spawn_app_on(TestDatabase::postgres().await).await).await;
}

#[tokio::test]
async fn twilio_retrying_the_same_call_makes_one_record_and_the_same_answer() {
    let app = spawn_app().await;
    app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    let first = app.caller_dials("CA0002").await;
    let retry = app.caller_dials("CA0002").await;
    assert_eq!(first, retry);
    let today = chrono::Utc::now();
    let calls = app
        .store
        .calls_between(
            today - chrono::Duration::hours(1),
            today + chrono::Duration::hours(1),
        )
        .await
        .expect("read");
    assert_eq!(calls.len(), 1);
    assert_eq!(
        app.store.legs(calls[0].id).await.expect("read").len(),
        1,
        "the lawyer is rung once"
    );
}

#[tokio::test]
async fn when_the_first_person_does_not_answer_the_next_is_rung_then_voicemail() {
    let app = spawn_app().await;
    app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    app.on_duty_now("Дана", PSYCHOLOGIST, Service::Psychological)
        .await;

    let (numbers, _, action) = dialled(&app.caller_dials("CA0003").await).expect("dials");
    assert_eq!(numbers, vec![LAWYER]);
    let next = app
        .dial_ends("CA0003", &action.expect("action"), "no-answer", "0")
        .await;
    let (numbers, _, action) = dialled(&next).expect("dials the next person");
    assert_eq!(numbers, vec![PSYCHOLOGIST]);
    let last = app
        .dial_ends("CA0003", &action.expect("action"), "busy", "0")
        .await;
    assert!(dialled(&last).is_none());
    assert!(
        records_voicemail(&last),
        "nobody answered: she is offered voicemail"
    );

    // She hangs up without leaving a message: someone owes her a call back.
    app.call_ends("CA0003", "5").await;
    let call = app
        .store
        .call_by_sid("CA0003")
        .await
        .expect("read")
        .expect("recorded");
    assert_eq!(
        (call.stage, call.outcome),
        (CallStage::Voicemail, Some(CallOutcome::Missed))
    );
    let legs = app.store.legs(call.id).await.expect("read");
    let results: Vec<_> = legs.iter().map(|leg| leg.result.as_deref()).collect();
    assert_eq!(results, vec![Some("no-answer"), Some("busy")]);
}

#[tokio::test]
async fn when_nobody_answers_she_hears_russian_and_the_emergency_numbers_and_leaves_a_voicemail() {
    let app = spawn_app().await;
    app.add_staff("Гульнара", COORDINATOR, vec![], true).await;

    // Nobody is on the rota: the coordinator, the last resort, is rung; she does not answer.
    let (numbers, _, action) =
        dialled(&app.caller_dials("CA0004").await).expect("the coordinator is rung");
    assert_eq!(numbers, vec![COORDINATOR]);
    let answer = app
        .dial_ends("CA0004", &action.expect("action"), "no-answer", "0")
        .await;
    assert!(dialled(&answer).is_none());
    assert!(records_voicemail(&answer));
    let words = spoken(&answer);
    assert!(words.contains("102") && words.contains("112"), "{words}");
    assert!(answer.verbs.iter().all(|verb| match verb {
        Verb::Say(say) => say.language.as_deref() == Some("ru-RU"),
        _ => true,
    }));

    let thanks = app.leaves_voicemail("CA0004").await;
    assert!(matches!(thanks.verbs.last(), Some(Verb::Hangup)));
    // The recording callback repeats what the action said: still one voicemail, one text.
    let pairs = [
        voicemail("CA0004"),
        params(&[("RecordingStatus", "completed")]),
    ]
    .concat();
    assert_eq!(
        app.post_signed("/webhooks/voice/recording", &pairs)
            .await
            .status(),
        204
    );
    app.call_ends("CA0004", "4").await;

    let call = app
        .store
        .call_by_sid("CA0004")
        .await
        .expect("read")
        .expect("recorded");
    assert_eq!(call.outcome, Some(CallOutcome::Voicemail));
    assert!(app.store.has_voicemail(call.id).await.expect("read"));
    let texts = app.store.pending_outbox(10).await.expect("read");
    assert_eq!(texts.len(), 1, "the coordinator is told once");
    assert_eq!(
        app.data_key.open(&texts[0].to_sealed).expect("opens"),
        "+77015550100"
    );
    let body = app.data_key.open(&texts[0].body_sealed).expect("opens");
    assert!(
        body.contains("голосовое сообщение") && !body.contains(CALLER),
        "{body}"
    );
}

#[tokio::test]
async fn a_caller_who_hangs_up_while_it_rings_is_counted_as_abandoned() {
    let app = spawn_app().await;
    app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    app.caller_dials("CA0005").await;
    app.call_ends("CA0005", "2").await;
    let call = app
        .store
        .call_by_sid("CA0005")
        .await
        .expect("read")
        .expect("recorded");
    assert_eq!(call.outcome, Some(CallOutcome::Abandoned));
}

#[tokio::test]
async fn the_mens_line_staff_are_not_rung_for_an_ordinary_call() {
    let app = spawn_app().await;
    app.on_duty_now("Ерлан", "+77015550109", Service::Mens)
        .await;
    assert!(dialled(&app.caller_dials("CA0006").await).is_none());
}

#[tokio::test]
async fn when_the_database_fails_she_hears_an_apology_and_can_still_leave_a_message() {
    let database = TestDatabase::sqlite();
    let app = spawn_app_on(database).await;
    app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    // Break the store from the outside, as a full disk or a lost volume would.
    let path = app.database_path();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{path}"))
        .await
        .expect("connect");
    sqlx::query("DROP TABLE call_legs")
        .execute(&pool)
        .await
        .expect("dropped");

    let answer = app.caller_dials("CA0007").await;
    let words = spoken(&answer);
    assert!(
        words.contains("Извините") && words.contains("112"),
        "{words}"
    );
    assert!(records_voicemail(&answer));
}
