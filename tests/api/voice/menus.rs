//! What she hears first: the language menu (Kazakh first), the service menu, the emergency
//! numbers in every menu; defaults when she presses nothing; blocked numbers and closed hours.

use hotline::clock::Clock;
use hotline::store::CallOutcome;
use hotline_routes::twiml::Verb;

use super::{LAWYER, PSYCHOLOGIST, numbers_rung, records_voicemail, spoken};
use crate::databases::TestDatabase;
use crate::helpers::{CALLER, HOTLINE_NUMBER, audit, spawn_app, spawn_app_on};

#[tokio::test]
async fn she_hears_kazakh_first_then_russian_and_the_emergency_numbers() {
    let app = spawn_app().await;
    let menu = app.call("CA01").dials().await;
    let words = spoken(&menu);
    let kazakh = words.find("казахский, нажмите 1").expect("Kazakh offered");
    let russian = words.find("русский, нажмите 2").expect("Russian offered");
    assert!(kazakh < russian, "{words}");
    assert!(words.contains("102") && words.contains("112"), "{words}");
}

#[tokio::test]
async fn presses_2_for_russian_and_2_for_a_psychologist_who_is_rung() {
    for app in [
        spawn_app().await,
        spawn_app_on(TestDatabase::postgres().await).await,
    ] {
        app.usual_rota().await;
        let call = app.call("CA02");
        let languages = call.dials().await;
        let services = call.presses(&languages, "2").await;
        assert!(
            spoken(&services).contains("Психологическая помощь: нажмите 2"),
            "{}",
            spoken(&services)
        );
        let ringing = call.presses(&services, "2").await;
        assert_eq!(numbers_rung(&ringing), vec![PSYCHOLOGIST]);
        let record = call.record().await;
        assert_eq!(
            (
                record.language.map(|l| l.as_str()),
                record.service.map(|s| s.as_str())
            ),
            (Some("ru"), Some("psychological"))
        );
    }
}

#[tokio::test]
async fn pressing_nothing_repeats_each_menu_once_then_takes_the_defaults() {
    let app = spawn_app().await;
    app.usual_rota().await;
    let call = app.call("CA03");
    let first = call.dials().await;
    let again = call.presses(&first, "").await;
    assert!(
        spoken(&again).contains("казахский, нажмите 1"),
        "the language menu again"
    );
    let services = call.presses(&again, "").await;
    assert!(
        spoken(&services).contains("Юридическая помощь"),
        "then Russian, the default, and the service menu"
    );
    let services_again = call.presses(&services, "9").await;
    assert!(
        spoken(&services_again).starts_with("Такого варианта нет."),
        "{}",
        spoken(&services_again)
    );
    let ringing = call.presses(&services_again, "").await;
    assert_eq!(
        numbers_rung(&ringing),
        vec![LAWYER],
        "then legal help, the line's first service"
    );
}

#[tokio::test]
async fn a_line_with_one_language_and_one_service_rings_at_once() {
    let app = spawn_app().await;
    app.usual_rota().await;
    let line = r#"{"name":"Мужская линия","languages":["ru"],"default_language":"ru","services":["psychological"]}"#;
    app.store
        .put_line(HOTLINE_NUMBER, line, &audit())
        .await
        .expect("kept");
    let answer = app.call("CA04").dials().await;
    assert_eq!(numbers_rung(&answer), vec![PSYCHOLOGIST]);
}

#[tokio::test]
async fn a_blocked_number_hears_a_short_message_and_is_logged() {
    let app = spawn_app().await;
    app.usual_rota().await;
    let until = app.clock.now() + chrono::Duration::days(30);
    app.store
        .block(
            &app.data_key.hash(CALLER),
            until,
            "harassing staff",
            &audit(),
        )
        .await
        .expect("blocked");
    let answer = app.call("CA05").dials().await;
    assert!(numbers_rung(&answer).is_empty());
    assert!(matches!(answer.verbs.last(), Some(Verb::Hangup)));
    assert_eq!(
        app.call("CA05").record().await.outcome,
        Some(CallOutcome::Blocked)
    );
    app.clock.advance(chrono::Duration::days(31));
    let later = app.call("CA06").dials().await;
    assert!(
        spoken(&later).contains("казахский"),
        "the block has expired"
    );
}

#[tokio::test]
async fn outside_opening_hours_she_hears_the_hours_and_can_leave_a_voicemail() {
    let app = spawn_app().await;
    app.usual_rota().await;
    // 2026-12-05 is a Saturday.
    app.clock
        .set("2026-12-05T06:00:00Z".parse().expect("an instant"));
    let line = r#"{"hours":{"windows":[{"days":["mon","tue","wed","thu","fri"],"from":"09:00","to":"18:00"}]}}"#;
    app.store
        .put_line("default", line, &audit())
        .await
        .expect("kept");
    let answer = app.call("CA07").dials().await;
    let words = spoken(&answer);
    assert!(
        words.contains("Сейчас линия не работает")
            && words.contains("с понедельника по пятницу с 09:00 до 18:00"),
        "{words}"
    );
    assert!(words.contains("112") && records_voicemail(&answer));
}
