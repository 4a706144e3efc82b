//! Staff replies that cannot or need not name a code: to the latest conversation, to an unknown
//! or closed code, and to someone who said STOP.

use hotline_schedules::Service;

use super::{HER, LAWYER, code_in};
use crate::helpers::spawn_app;

#[tokio::test]
async fn a_reply_without_a_code_goes_to_the_latest_conversation_and_names_it() {
    let app = spawn_app().await;
    app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    let other = "+77079998877";
    app.text("SM01", other, "Первое обращение").await;
    app.text("SM02", HER, "Второе обращение").await;
    let code = code_in(&app.last_text_to(LAWYER).await.body);

    app.text("SM03", LAWYER, "Здравствуйте, чем помочь?").await;
    let reply = app.last_text_to(HER).await;
    assert_eq!(reply.body, "Здравствуйте, чем помочь?");
    assert!(app.texts_to(other).await.is_empty());
    let confirmation = app.last_text_to(LAWYER).await;
    assert!(confirmation.body.contains(&code), "{}", confirmation.body);
}

#[tokio::test]
async fn an_unknown_code_gets_a_clear_answer_and_nothing_is_relayed() {
    let app = spawn_app().await;
    app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    app.text("SM01", HER, "Помогите").await;
    let code = code_in(&app.last_text_to(LAWYER).await.body);
    let unknown = if code == "K7Q" { "M3X" } else { "K7Q" };

    // A code no conversation has, and one mistyped with a look-alike (zero for O).
    for (sid, typed) in [("SM02", unknown), ("SM03", "K0Q")] {
        app.text(sid, LAWYER, &format!("{typed} Здравствуйте"))
            .await;
        let answer = app.last_text_to(LAWYER).await;
        assert!(answer.body.contains(typed), "{}", answer.body);
        assert!(
            answer.body.contains("Ничего не отправлено"),
            "{}",
            answer.body
        );
    }
    assert!(app.texts_to(HER).await.is_empty());
}

#[tokio::test]
async fn a_reply_with_no_conversation_at_all_is_not_sent() {
    let app = spawn_app().await;
    app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    app.text("SM01", LAWYER, "Здравствуйте").await;
    let answer = app.last_text_to(LAWYER).await;
    assert!(
        answer.body.contains("Ничего не отправлено"),
        "{}",
        answer.body
    );
    assert_eq!(app.outbox().await.len(), 1, "only the answer to the lawyer");
}

#[tokio::test]
async fn after_stop_nothing_is_sent_to_her_and_start_allows_it_again() {
    let app = spawn_app().await;
    app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    app.text("SM01", HER, "Помогите").await;
    let code = code_in(&app.last_text_to(LAWYER).await.body);
    let texts_to_lawyer = app.texts_to(LAWYER).await.len();

    app.text("SM02", HER, "STOP").await;
    assert_eq!(
        app.texts_to(LAWYER).await.len(),
        texts_to_lawyer,
        "STOP tells nobody"
    );
    app.text("SM03", LAWYER, &format!("{code} Вы в безопасности?"))
        .await;
    assert!(app.texts_to(HER).await.is_empty());
    let told = app.last_text_to(LAWYER).await;
    assert!(told.body.contains("отказалась"), "{}", told.body);

    app.text("SM04", HER, "START").await;
    app.text("SM05", LAWYER, &format!("{code} Вы в безопасности?"))
        .await;
    assert_eq!(app.texts_to(HER).await.len(), 1);
}
