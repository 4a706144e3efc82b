//! The client's requests as Twilio's own API description has them, checked by prism: a text
//! through the outbox, a callback through the outbox, a call with its status events, the look-up of sent messages; and a
//! malformed request is caught, so the check is not an empty one.

use hotline::outbox::{CALLBACK_CHANNEL, Delivery, Outbox, OutboxSettings, TwilioDelivery};
use hotline::store::OutboxStatus;
use hotline::telephony::client::{
    CallInstructions, OutgoingCall, OutgoingMessage, ProviderError, TwilioClient,
};

use super::fake_provider::{ACCOUNT_SID, Answer, PROVIDER_TOKEN};
use super::prism::prism;
use super::{LAWYER, Rig};
use crate::helpers::{HOTLINE_NUMBER, PUBLIC_URL};

fn client(account_sid: &str) -> TwilioClient {
    TwilioClient::new(
        prism().base.clone(),
        account_sid,
        PROVIDER_TOKEN.to_owned().into(),
    )
    .expect("a client")
}

fn callback(path: &str) -> url::Url {
    url::Url::parse(&format!("{PUBLIC_URL}{path}")).expect("a URL")
}

#[tokio::test]
async fn a_text_from_the_outbox_is_one_twilio_accepts() {
    let rig = Rig::new([]).await;
    let id = rig
        .text("voicemail:3:1", "sms", LAWYER, "Голосовое сообщение: №3")
        .await;
    let outbox = Outbox::new(
        rig.store.clone(),
        rig.data_key.clone(),
        rig.clock.clone(),
        Delivery::Twilio(Box::new(TwilioDelivery {
            client: client(ACCOUNT_SID),
            from: HOTLINE_NUMBER.to_owned(),
            status_callback: Some(callback("/webhooks/messages/status")),
            public_url: Some(callback("")),
        })),
        OutboxSettings::default(),
    );
    assert_eq!(outbox.send_due().await.expect("a pass").sent, 1);
    let sent = rig.message(id).await;
    assert_eq!(sent.status, OutboxStatus::Sent);
    assert!(
        sent.provider_sid
            .as_deref()
            .is_some_and(|sid| sid.starts_with("SM")),
        "the SID of the spec's example: {:?}",
        sent.provider_sid
    );
}

#[tokio::test]
async fn a_callback_from_the_outbox_is_a_call_twilio_accepts() {
    let rig = Rig::new([]).await;
    let id = rig
        .text(
            "callback:SM1",
            CALLBACK_CHANNEL,
            LAWYER,
            "/webhooks/voice/callback?conversation=1&staff=1",
        )
        .await;
    let outbox = Outbox::new(
        rig.store.clone(),
        rig.data_key.clone(),
        rig.clock.clone(),
        Delivery::Twilio(Box::new(TwilioDelivery {
            client: client(ACCOUNT_SID),
            from: HOTLINE_NUMBER.to_owned(),
            status_callback: Some(callback("/webhooks/messages/status")),
            public_url: Some(callback("")),
        })),
        OutboxSettings::default(),
    );
    assert_eq!(outbox.send_due().await.expect("a pass").sent, 1);
    let sent = rig.message(id).await;
    assert_eq!(sent.status, OutboxStatus::Sent);
    assert!(
        sent.provider_sid
            .as_deref()
            .is_some_and(|sid| sid.starts_with("CA")),
        "a call's SID from Calls.json: {:?}",
        sent.provider_sid
    );
}

#[tokio::test]
async fn a_whatsapp_text_is_one_twilio_accepts() {
    let status = callback("/webhooks/messages/status?outbox=7");
    let message = OutgoingMessage {
        to: &format!("whatsapp:{LAWYER}"),
        from: &format!("whatsapp:{HOTLINE_NUMBER}"),
        body: "Сәлем! Жаңа хабарлама: K7Q",
        status_callback: Some(&status),
    };
    let created = client(ACCOUNT_SID).send_message(&message).await;
    assert!(created.is_ok(), "{created:?}");
}

#[tokio::test]
async fn a_call_with_its_status_events_is_one_twilio_accepts() {
    let twiml_url = callback("/webhooks/voice/callback?conversation=K7Q");
    let status = callback("/webhooks/voice/status");
    let events = ["initiated", "ringing", "answered", "completed"];
    for instructions in [
        CallInstructions::Url(&twiml_url),
        CallInstructions::Twiml("<Response><Say language=\"ru-RU\">Соединяю</Say></Response>"),
    ] {
        let call = OutgoingCall {
            to: LAWYER,
            from: HOTLINE_NUMBER,
            instructions,
            status_callback: Some(&status),
            status_events: &events,
        };
        let created = client(ACCOUNT_SID).create_call(&call).await;
        let sid = created.expect("prism accepts it").sid;
        assert!(sid.starts_with("CA"), "{sid}");
    }
}

#[tokio::test]
async fn the_look_up_of_sent_texts_is_one_twilio_accepts() {
    // Prism answers with one of the spec's examples, an empty page as often as not: what is
    // checked here is the request; reading a full page is the fake provider's tests' part.
    let listed = client(ACCOUNT_SID)
        .list_messages(
            &format!("whatsapp:{LAWYER}"),
            &format!("whatsapp:{HOTLINE_NUMBER}"),
            chrono::Utc::now() - chrono::Duration::minutes(5),
        )
        .await;
    assert!(listed.is_ok(), "{listed:?}");
}

#[tokio::test]
async fn a_malformed_request_is_caught() {
    let message = OutgoingMessage {
        to: LAWYER,
        from: HOTLINE_NUMBER,
        body: "тест",
        status_callback: None,
    };
    let refused = client("AC-not-an-account").send_message(&message).await;
    assert!(
        matches!(
            refused,
            Err(ProviderError::Refused {
                http_status: 422,
                ..
            })
        ),
        "prism refuses a malformed AccountSid: {refused:?}"
    );
    // And the fake provider's check through prism catches one as well.
    let rig = Rig::new([Answer::Create]).await;
    let bad = TwilioClient::new(
        rig.provider.base.clone(),
        "AC-not-an-account",
        PROVIDER_TOKEN.to_owned().into(),
    )
    .expect("a client");
    bad.send_message(&message)
        .await
        .expect("the fake creates it");
    let invalid = rig.provider.invalid_requests().await;
    assert_eq!(invalid.len(), 1, "{invalid:?}");
    assert!(
        invalid[0].contains("422") && invalid[0].contains("accountsid"),
        "{}",
        invalid[0]
    );
}
