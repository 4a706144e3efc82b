//! The call passing down the list: a voicemail that picks up, a refusal at the whisper or a phone
//! that fails moves the call on to the backup or the coordinator, who takes it.

use hotline::simulate::{Behaviour, CallScript};
use hotline::store::CallOutcome;

use super::{BACKUP, COORDINATOR, LAWYER, lawyer_and_backup, she_never_waited_in_silence};
use crate::helpers::spawn_app;

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
