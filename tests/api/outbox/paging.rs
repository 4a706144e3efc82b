//! The look-up for a text in doubt reads the provider's list page after page, newest first,
//! back to the doubtful attempt: a text whose create answer was lost is found behind more than
//! a page of newer texts to the same person, and not sent twice. Past the look-up's page bound
//! it is sent again (a reminder twice rather than never); a look-up slower than its share of
//! the lease is a failed one, tried again, and sends nothing.

use std::time::Duration;

use hotline::outbox::{OutboxSettings, RateSettings};
use hotline::store::OutboxStatus;
use hotline::telephony::client::{LOOK_UP_PAGE_SIZE, LOOK_UP_PAGES};

use super::fake_provider::Answer;
use super::{LAWYER, Rig};
use crate::helpers::HOTLINE_NUMBER;

const IN_DOUBT: &str = "Голосовое сообщение на линии юридической помощи: №7";

/// No rate limit holds the many texts back.
fn unhurried() -> OutboxSettings {
    OutboxSettings {
        rates: RateSettings {
            per_second: 100_000.0,
            burst: 100_000,
            per_recipient_per_minute: 100_000,
        },
        ..OutboxSettings::default()
    }
}

fn page() -> usize {
    usize::try_from(LOOK_UP_PAGE_SIZE).expect("a size")
}

/// The lawyer's text whose create answer is lost: the provider has it, the outbox is in doubt.
async fn text_in_doubt(rig: &Rig, outbox: &hotline::outbox::Outbox) -> i64 {
    let id = rig.text("voicemail:7:1", "sms", LAWYER, IN_DOUBT).await;
    assert_eq!(outbox.send_due().await.expect("a pass").retried, 1);
    assert!(rig.message(id).await.uncertain_since.is_some());
    id
}

fn times_delivered(rig: &Rig, body: &str) -> usize {
    rig.delivered()
        .iter()
        .filter(|(to, sent)| to == LAWYER && sent == body)
        .count()
}

#[tokio::test]
async fn a_text_in_doubt_behind_more_than_a_page_of_newer_texts_is_found_not_sent_twice() {
    let rig = Rig::new([Answer::CreateThenFail(502)]).await;
    let outbox = rig.outbox_with(unhurried());
    let id = text_in_doubt(&rig, &outbox).await;
    // While it waits for the provider's records to settle, the lawyer's reminders go on.
    let newer = page() + 50;
    for n in 0..newer {
        rig.text(
            &format!("reminder:{n}"),
            "sms",
            LAWYER,
            &format!("Напоминание №{n}"),
        )
        .await;
    }
    let mut sent = 0;
    while sent < newer {
        let pass = outbox.send_due().await.expect("a pass");
        assert!(pass.sent > 0, "the reminders go out");
        sent += pass.sent;
    }
    rig.later(31);
    let pass = outbox.send_due().await.expect("a pass");
    assert_eq!((pass.found, pass.sent), (1, 0), "found, not sent again");
    assert_eq!(times_delivered(&rig, IN_DOUBT), 1, "she hears of it once");
    assert_eq!(rig.provider.creates(), newer + 1);
    let found = rig.message(id).await;
    assert_eq!(found.status, OutboxStatus::Sent);
    assert_eq!(
        found.provider_sid,
        Some(rig.provider.created()[0].sid.clone())
    );
    assert_eq!(
        (rig.provider.look_ups(), rig.provider.pages_listed()),
        (1, 2),
        "one look-up, over two pages"
    );
    rig.provider.all_requests_valid().await;
}

#[tokio::test]
async fn a_look_up_stops_at_the_page_that_reaches_back_before_the_doubtful_attempt() {
    let rig = Rig::new([Answer::CreateThenFail(502)]).await;
    let outbox = rig.outbox_with(unhurried());
    // A long history from yesterday that need not be read.
    let yesterday = rig.now() - chrono::Duration::days(1);
    for n in 0..3 * page() {
        rig.provider
            .add_sent(LAWYER, HOTLINE_NUMBER, &format!("Вчера №{n}"), yesterday);
    }
    let id = text_in_doubt(&rig, &outbox).await;
    rig.later(1);
    for n in 0..page() + 10 {
        rig.provider
            .add_sent(LAWYER, HOTLINE_NUMBER, &format!("Сегодня №{n}"), rig.now());
    }
    rig.later(30);
    let pass = outbox.send_due().await.expect("a pass");
    assert_eq!((pass.found, pass.sent), (1, 0));
    assert_eq!(rig.message(id).await.status, OutboxStatus::Sent);
    assert_eq!(times_delivered(&rig, IN_DOUBT), 1);
    assert_eq!(
        rig.provider.pages_listed(),
        2,
        "the second page holds yesterday's texts: no need to read on"
    );
    rig.provider.all_requests_valid().await;
}

#[tokio::test]
async fn past_the_page_bound_a_text_in_doubt_is_sent_again_rather_than_held_back() {
    let rig = Rig::new([Answer::CreateThenFail(502)]).await;
    let outbox = rig.outbox_with(unhurried());
    let id = text_in_doubt(&rig, &outbox).await;
    // More texts to her since the doubtful attempt than a look-up reads.
    for n in 0..LOOK_UP_PAGES * page() + 1 {
        rig.provider
            .add_sent(LAWYER, HOTLINE_NUMBER, &format!("Другое №{n}"), rig.now());
    }
    rig.later(31);
    let pass = outbox.send_due().await.expect("a pass");
    assert_eq!(
        (pass.found, pass.sent),
        (0, 1),
        "a reminder twice is better than a reminder never"
    );
    assert_eq!(rig.provider.pages_listed(), LOOK_UP_PAGES, "and no more");
    assert_eq!(times_delivered(&rig, IN_DOUBT), 2);
    let sent = rig.message(id).await;
    assert_eq!(sent.status, OutboxStatus::Sent);
    assert_eq!(
        sent.provider_sid,
        rig.provider.created().last().map(|m| m.sid.clone())
    );
    rig.provider.all_requests_valid().await;
}

#[tokio::test]
async fn a_look_up_slower_than_its_share_of_the_lease_is_tried_again_and_sends_nothing() {
    let rig = Rig::new([Answer::CreateThenFail(502)]).await;
    // A third of a 3 s lease for the look-up: one second, where three pages take 1.2 s.
    let settings = OutboxSettings {
        lease: Duration::from_secs(3),
        ..unhurried()
    };
    let outbox = rig.outbox_with(settings);
    let id = text_in_doubt(&rig, &outbox).await;
    for n in 0..2 * page() + 10 {
        rig.provider
            .add_sent(LAWYER, HOTLINE_NUMBER, &format!("Сегодня №{n}"), rig.now());
    }
    rig.provider.slow_lists(Duration::from_millis(400));
    rig.later(31);
    let pass = outbox.send_due().await.expect("a pass");
    assert_eq!((pass.retried, pass.found, pass.sent), (1, 0, 0));
    let waiting = rig.message(id).await;
    assert_eq!(waiting.status, OutboxStatus::Queued);
    assert!(waiting.uncertain_since.is_some(), "still in doubt");
    assert!(
        waiting
            .error_message
            .as_deref()
            .is_some_and(|m| m.contains("took too long")),
        "{:?}",
        waiting.error_message
    );
    assert_eq!(times_delivered(&rig, IN_DOUBT), 1);

    rig.provider.slow_lists(Duration::ZERO);
    rig.later(3600);
    let pass = outbox.send_due().await.expect("a pass");
    assert_eq!(
        (pass.found, pass.sent),
        (1, 0),
        "found once the look-up finishes"
    );
    assert_eq!(times_delivered(&rig, IN_DOUBT), 1);
    rig.provider.all_requests_valid().await;
}
