//! `hotline simulate message` plays both sides of a conversation against a running server.

use hotline::simulate::{MessageScript, TokenSigner, send_texts};
use hotline_schedules::Service;

use super::{HER, LAWYER, code_in};
use crate::helpers::{AUTH_TOKEN, HOTLINE_NUMBER, PUBLIC_URL, spawn_app};

fn script(from: &str, whatsapp: bool, texts: &[&str]) -> MessageScript {
    MessageScript {
        from: from.to_owned(),
        to: HOTLINE_NUMBER.to_owned(),
        whatsapp,
        public_url: Some(PUBLIC_URL.to_owned()),
        texts: texts.iter().map(|t| (*t).to_owned()).collect(),
    }
}

#[tokio::test]
async fn simulated_texts_make_a_conversation_on_a_running_server() {
    let app = spawn_app().await;
    app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    let signer = TokenSigner(AUTH_TOKEN.to_owned());

    let sent = send_texts(
        &app.address,
        &script(HER, true, &["Здравствуйте", "Мне нужен совет"]),
        &signer,
    )
    .await
    .expect("the server takes them");
    assert_eq!(sent.len(), 2);
    assert!(sent.iter().all(|s| s.answer.contains("<Response/>")));
    let code = code_in(&app.texts_to(LAWYER).await[0].body);
    assert_eq!(app.texts_to(LAWYER).await.len(), 2);

    send_texts(
        &app.address,
        &script(LAWYER, false, &[&format!("{code} Слушаю вас")]),
        &signer,
    )
    .await
    .expect("the server takes it");
    let reply = app.last_text_to(HER).await;
    assert_eq!(
        (reply.channel.as_str(), reply.body.as_str()),
        ("whatsapp", "Слушаю вас")
    );
}

#[tokio::test]
async fn a_simulated_text_signed_with_the_wrong_token_is_refused() {
    let app = spawn_app().await;
    let error = send_texts(
        &app.address,
        &script(HER, false, &["Здравствуйте"]),
        &TokenSigner("not-the-token".to_owned()),
    )
    .await
    .expect_err("refused");
    assert!(error.to_string().contains("403"), "{error}");
}
