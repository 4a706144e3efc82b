//! The whole story, by SMS and by WhatsApp: she writes → the lawyer on duty gets a text with a
//! code → the lawyer replies with the code → a text to her is queued from the hotline number →
//! `DONE` closes the conversation and the follow-up.

use hotline_schedules::Service;

use super::{BACKUP_LAWYER, HER, LAWYER, PSYCHOLOGIST, code_in};
use crate::helpers::spawn_app;

#[tokio::test]
async fn she_texts_the_lawyer_on_duty_answers_and_closes_it() {
    let app = spawn_app().await;
    app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    app.on_duty_now("Дана", PSYCHOLOGIST, Service::Psychological)
        .await;

    app.text("SM01", HER, "Здравствуйте, мне нужен юрист").await;
    let relay = app.last_text_to(LAWYER).await;
    assert_eq!(relay.channel, "sms");
    let code = code_in(&relay.body);
    assert!(relay.body.contains("юридическая помощь"), "{}", relay.body);
    assert!(relay.body.contains("мне нужен юрист"), "{}", relay.body);
    assert!(!relay.body.contains(HER), "never her number");
    assert!(
        app.texts_to(PSYCHOLOGIST).await.is_empty(),
        "another service"
    );

    app.text(
        "SM02",
        LAWYER,
        &format!("{code} Здравствуйте, я юрист. Вы в безопасности?"),
    )
    .await;
    let reply = app.last_text_to(HER).await;
    assert_eq!(reply.channel, "sms");
    assert_eq!(reply.body, "Здравствуйте, я юрист. Вы в безопасности?");
    let confirmation = app.last_text_to(LAWYER).await;
    assert!(confirmation.body.contains(&code), "{}", confirmation.body);

    app.text("SM03", HER, "Да, сейчас да").await;
    let second = app.last_text_to(LAWYER).await;
    assert!(second.body.starts_with(&code), "{}", second.body);
    assert!(second.body.contains("Да, сейчас да"));

    assert_eq!(app.store.open_follow_ups().await.expect("read").len(), 1);
    app.text("SM04", LAWYER, &format!("DONE {code}")).await;
    let closed = app.last_text_to(LAWYER).await;
    assert!(closed.body.contains("закрыто"), "{}", closed.body);
    assert!(closed.body.contains(&code));
    assert!(app.store.open_follow_ups().await.expect("read").is_empty());

    app.text("SM05", LAWYER, &format!("{code} ещё одно")).await;
    let stale = app.last_text_to(LAWYER).await;
    assert!(
        stale.body.contains("Ничего не отправлено"),
        "{}",
        stale.body
    );
    assert_eq!(app.texts_to(HER).await.len(), 1, "nothing more to her");
}

#[tokio::test]
async fn over_whatsapp_the_answer_goes_back_over_whatsapp() {
    let app = spawn_app().await;
    app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    let her = format!("whatsapp:{HER}");

    app.text("SM11", &her, "Помогите пожалуйста").await;
    let relay = app.last_text_to(LAWYER).await;
    assert_eq!(relay.channel, "sms", "staff get texts");
    assert!(!relay.body.contains(HER));
    assert!(!relay.body.contains("Айгуль"), "nor her profile name");
    let code = code_in(&relay.body);

    app.text("SM12", LAWYER, &format!("{code} Мы здесь. Что случилось?"))
        .await;
    let reply = app.last_text_to(HER).await;
    assert_eq!(reply.channel, "whatsapp");
    assert_eq!(reply.body, "Мы здесь. Что случилось?");

    // A day and more later WhatsApp would refuse a free-form text: the lawyer is told.
    app.clock.advance(chrono::Duration::hours(25));
    app.text("SM13", LAWYER, &format!("{code} Как вы?")).await;
    let told = app.last_text_to(LAWYER).await;
    assert!(told.body.contains("24 часов"), "{}", told.body);
    assert_eq!(app.texts_to(HER).await.len(), 1, "not attempted");

    app.text("SM14", LAWYER, &format!("DONE {code}")).await;
    assert!(app.store.open_follow_ups().await.expect("read").is_empty());
}

#[tokio::test]
async fn a_service_she_names_by_digit_or_word_chooses_who_gets_it() {
    let app = spawn_app().await;
    app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    app.on_duty_now("Дана", PSYCHOLOGIST, Service::Psychological)
        .await;

    app.text("SM21", HER, "2").await;
    let relay = app.last_text_to(PSYCHOLOGIST).await;
    assert!(
        relay.body.contains("психологическая помощь"),
        "{}",
        relay.body
    );
    assert!(app.texts_to(LAWYER).await.is_empty());

    app.text("SM22", "+77079998877", "Маған заңгер керек").await;
    assert_eq!(app.texts_to(LAWYER).await.len(), 1);
}

#[tokio::test]
async fn a_retried_webhook_makes_no_second_conversation_or_text() {
    let app = spawn_app().await;
    app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    app.on_duty_at("Сауле", BACKUP_LAWYER, Service::Legal, 1)
        .await;

    app.text("SM31", HER, "Помогите").await;
    app.text("SM31", HER, "Помогите").await;
    let to_lawyer = app.texts_to(LAWYER).await;
    assert_eq!(to_lawyer.len(), 1);
    assert_eq!(app.texts_to(BACKUP_LAWYER).await.len(), 1, "both on duty");
    let code = code_in(&to_lawyer[0].body);

    app.text("SM32", LAWYER, &format!("{code} Слушаю вас"))
        .await;
    app.text("SM32", LAWYER, &format!("{code} Слушаю вас"))
        .await;
    assert_eq!(app.texts_to(HER).await.len(), 1);
    assert_eq!(app.store.open_follow_ups().await.expect("read").len(), 1);
}

#[tokio::test]
async fn her_number_and_words_are_stored_sealed_and_the_answer_is_empty_xml() {
    let app = spawn_app().await;
    app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    let response = app.text("SM41", HER, "Он снова угрожает").await;
    let body = response.text().await.expect("a body");
    assert!(body.contains("<Response/>"), "{body}");
    assert!(!body.contains("Message"), "{body}");

    // The database and its write-ahead log, where recent commits are.
    let mut bytes = std::fs::read(app.database_path()).expect("the database file");
    bytes.extend(std::fs::read(format!("{}-wal", app.database_path())).unwrap_or_default());
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains(HER), "her number is sealed");
    assert!(!text.contains("угрожает"), "her words are sealed");
}
