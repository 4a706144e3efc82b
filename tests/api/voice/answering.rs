//! Ringing and screening: each person hears a whisper and must press 1; a personal voicemail
//! never takes the call; the first to accept wins; busy people are passed over.

use hotline::store::{CallOutcome, CallStage, NewStaff};
use hotline_routes::twiml::Verb;
use hotline_schedules::{Gender, Service};

use super::{
    BACKUP, COORDINATOR, LAWYER, PSYCHOLOGIST, dialled, gather_action, numbers_rung,
    records_voicemail, spoken, twiml,
};
use crate::helpers::{HOTLINE_NUMBER, audit, spawn_app};

#[tokio::test]
async fn dials_presses_2_presses_1_the_lawyer_accepts_and_they_talk() {
    let app = spawn_app().await;
    app.usual_rota().await;
    let call = app.call("CA10");
    let ringing = call.chooses("2", "1").await;
    let (numbers, action) = dialled(&ringing).expect("the lawyer is rung");
    assert_eq!(
        numbers
            .iter()
            .map(|n| n.phone_number.as_str())
            .collect::<Vec<_>>(),
        vec![LAWYER]
    );
    assert!(
        spoken(&ringing).contains("оставайтесь на линии"),
        "she hears a hold message, not silence"
    );
    let Some(Verb::Dial(dial)) = ringing.verbs.iter().find(|v| matches!(v, Verb::Dial(_))) else {
        panic!("a dial")
    };
    assert_eq!(
        dial.caller_id.as_deref(),
        Some(HOTLINE_NUMBER),
        "the lawyer sees the hotline's number, never hers"
    );

    let whisper = call.picks_up(&numbers[0]).await;
    let words = spoken(&whisper);
    assert!(
        words.contains("юридическая помощь")
            && words.contains("русский")
            && words.contains("нажмите 1"),
        "{words}"
    );
    let connected = call.person_presses(&numbers[0], "1").await;
    assert!(
        connected.verbs.is_empty(),
        "an empty document connects the leg"
    );

    app.clock.advance(chrono::Duration::seconds(125));
    let after = call.dial_ends(&action, "completed", "120").await;
    assert_eq!(after.verbs, vec![Verb::Hangup]);
    call.ends("3").await;
    let record = call.record().await;
    assert_eq!(
        (record.outcome, record.stage),
        (Some(CallOutcome::Answered), CallStage::Connected)
    );
    let legs = app.store.legs(record.id).await.expect("read");
    assert_eq!(legs.len(), 1);
    assert_eq!(
        (legs[0].result.as_deref(), legs[0].duration_secs),
        (Some("accepted"), Some(120))
    );
}

#[tokio::test]
async fn her_voicemail_picks_up_so_the_backup_is_rung_and_accepts() {
    let app = spawn_app().await;
    app.usual_rota().await;
    let call = app.call("CA11");
    let first = call.chooses("2", "1").await;
    let (numbers, action) = dialled(&first).expect("the lawyer is rung");
    // Her personal voicemail answers and presses nothing.
    assert_eq!(
        call.person_presses(&numbers[0], "").await.verbs,
        vec![Verb::Hangup]
    );
    let second = call.dial_ends(&action, "completed", "0").await;
    assert!(
        spoken(&second).contains("Пробуем связаться с другим"),
        "she hears why she is still waiting"
    );
    let (numbers, action) = dialled(&second).expect("the backup is rung");
    assert_eq!(numbers[0].phone_number, BACKUP);
    call.person_presses(&numbers[0], "1").await;
    call.dial_ends(&action, "completed", "300").await;
    call.ends("4").await;
    let record = call.record().await;
    assert_eq!(record.outcome, Some(CallOutcome::Answered));
    let backup = app
        .store
        .staff()
        .await
        .expect("read")
        .into_iter()
        .find(|p| p.phone.as_e164() == BACKUP)
        .expect("exists");
    assert_eq!(
        record.answered_by,
        Some(backup.id),
        "answered by the backup, not by a voicemail"
    );
    let results: Vec<_> = app
        .store
        .legs(record.id)
        .await
        .expect("read")
        .into_iter()
        .map(|l| l.result)
        .collect();
    assert_eq!(
        results,
        vec![Some("no-answer".to_owned()), Some("accepted".to_owned())]
    );
}

#[tokio::test]
async fn with_nobody_on_the_rota_the_coordinator_is_rung_then_voicemail() {
    let app = spawn_app().await;
    app.add_staff("Гульнара", COORDINATOR, vec![], true).await;
    let call = app.call("CA12");
    let ringing = call.chooses("2", "1").await;
    let (numbers, action) = dialled(&ringing).expect("the coordinator is rung");
    assert_eq!(numbers[0].phone_number, COORDINATOR);
    let after = call.dial_ends(&action, "no-answer", "0").await;
    assert!(numbers_rung(&after).is_empty() && records_voicemail(&after));
}

#[tokio::test]
async fn on_a_simultaneous_line_two_accept_and_exactly_one_is_connected() {
    let app = spawn_app().await;
    app.usual_rota().await;
    app.store
        .put_line("default", r#"{"ring":"simultaneous"}"#, &audit())
        .await
        .expect("kept");
    let call = app.call("CA13");
    let ringing = call.chooses("2", "1").await;
    let (numbers, action) = dialled(&ringing).expect("rings");
    assert_eq!(
        numbers
            .iter()
            .map(|n| n.phone_number.as_str())
            .collect::<Vec<_>>(),
        vec![LAWYER, BACKUP],
        "both at once"
    );
    // Both pick up and hear the whisper; the backup presses 1 a moment before the lawyer.
    let (backup_whisper, lawyer_whisper) = (
        call.picks_up(&numbers[1]).await,
        call.picks_up(&numbers[0]).await,
    );
    let first = twiml(
        call.post(&gather_action(&backup_whisper), &[("Digits", "1")])
            .await,
    )
    .await;
    let second = twiml(
        call.post(&gather_action(&lawyer_whisper), &[("Digits", "1")])
            .await,
    )
    .await;
    assert!(first.verbs.is_empty(), "the first to accept is connected");
    assert!(
        spoken(&second).contains("уже принят"),
        "the second hears a colleague was quicker"
    );
    call.dial_ends(&action, "completed", "60").await;
    let record = call.record().await;
    let backup = app
        .store
        .staff()
        .await
        .expect("read")
        .into_iter()
        .find(|p| p.phone.as_e164() == BACKUP)
        .expect("exists");
    assert_eq!(record.answered_by, Some(backup.id));
}

#[tokio::test]
async fn a_lawyer_talking_to_one_caller_is_not_rung_for_the_next() {
    let app = spawn_app().await;
    app.usual_rota().await;
    let first = app.call("CA14");
    let (numbers, _) = dialled(&first.chooses("2", "1").await).expect("rings");
    first.person_presses(&numbers[0], "1").await;
    let second = app.call("CA15");
    assert_eq!(
        numbers_rung(&second.chooses("2", "1").await),
        vec![BACKUP],
        "the next free person"
    );
}

#[tokio::test]
async fn a_dial_the_provider_refuses_leads_on_and_the_coordinator_is_told() {
    let app = spawn_app().await;
    app.usual_rota().await;
    app.add_staff("Гульнара", COORDINATOR, vec![], true).await;
    let call = app.call("CA16");
    let (_, action) = dialled(&call.chooses("2", "1").await).expect("rings");
    let next = call.dial_ends(&action, "failed", "0").await;
    assert_eq!(numbers_rung(&next), vec![BACKUP]);
    let texts = app.store.pending_outbox(10).await.expect("read");
    assert_eq!(texts.len(), 1);
    assert_eq!(
        app.data_key.open(&texts[0].to_sealed).expect("opens"),
        COORDINATOR
    );
    assert!(
        app.data_key
            .open(&texts[0].body_sealed)
            .expect("opens")
            .contains("провайдер не смог")
    );
}

#[tokio::test]
async fn the_line_may_prefer_women_and_the_caller_language_comes_first() {
    let app = spawn_app().await;
    let man = app
        .on_duty_now("Ерлан", "+77015550109", Service::Legal)
        .await;
    let mut erlan = NewStaff::from(
        &app.store
            .staff_member(man)
            .await
            .expect("read")
            .expect("exists"),
    );
    erlan.gender = Some(Gender::Male);
    app.store
        .update_staff(man, &erlan, &audit())
        .await
        .expect("updated");
    app.on_duty_at("Айгерим", LAWYER, Service::Legal, 1).await;
    app.store
        .put_line("default", r#"{"prefer_gender":"female"}"#, &audit())
        .await
        .expect("kept");
    let ringing = app.call("CA17").chooses("2", "1").await;
    assert_eq!(
        numbers_rung(&ringing),
        vec![LAWYER],
        "the woman first, though she is the backup"
    );
    let ringing = app.call("CA18").chooses("2", "2").await;
    assert!(
        numbers_rung(&ringing).is_empty(),
        "no psychologist on duty: voicemail"
    );
    assert_eq!(app.call("CA18").record().await.stage, CallStage::Voicemail);
    let _ = PSYCHOLOGIST;
}
