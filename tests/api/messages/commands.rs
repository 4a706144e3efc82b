//! Staff commands by text: HELP, PAUSE and RESUME (which change who is on duty). CALL has its
//! own stories in `callback`.

use hotline_schedules::Service;

use super::{BACKUP_LAWYER, HER, LAWYER};
use crate::helpers::spawn_app;

#[tokio::test]
async fn help_lists_the_commands() {
    let app = spawn_app().await;
    app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    app.text("SM01", LAWYER, "HELP").await;
    let help = app.last_text_to(LAWYER).await;
    for command in ["DONE", "PAUSE", "RESUME", "K7Q"] {
        assert!(help.body.contains(command), "{}", help.body);
    }
    assert_eq!(app.outbox().await.len(), 1);
}

#[tokio::test]
async fn pause_takes_a_person_off_duty_and_resume_brings_them_back() {
    let app = spawn_app().await;
    app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    app.on_duty_at("Сауле", BACKUP_LAWYER, Service::Legal, 1)
        .await;
    app.clock.advance(chrono::Duration::minutes(1));

    app.text("SM01", LAWYER, "PAUSE 2h").await;
    let paused = app.last_text_to(LAWYER).await;
    assert!(paused.body.contains("Пауза до"), "{}", paused.body);

    app.clock.advance(chrono::Duration::minutes(1));
    app.text("SM02", HER, "Помогите").await;
    assert_eq!(app.texts_to(BACKUP_LAWYER).await.len(), 1);
    assert_eq!(app.texts_to(LAWYER).await.len(), 1, "only the pause answer");

    app.text("SM03", LAWYER, "RESUME").await;
    assert!(
        app.last_text_to(LAWYER)
            .await
            .body
            .contains("снова на дежурстве")
    );
    app.clock.advance(chrono::Duration::minutes(1));
    app.text("SM04", "+77079998877", "Здравствуйте").await;
    let relay = app.last_text_to(LAWYER).await;
    assert!(relay.body.contains("Здравствуйте"), "{}", relay.body);
}
