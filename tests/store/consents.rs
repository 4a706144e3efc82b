//! Her consent with its terms, on both backends: the latest word per number and channel comes
//! back with its safe hours, its end and its sealed code word; terms set by staff are audited
//! with them.

use std::sync::Arc;

use hotline::store::*;
use hotline_routes::consent::{ConsentTerms, SafeHours};

use crate::{at, audit};

fn word(granted: bool, reason: &str, minute: u32) -> NewConsent {
    NewConsent {
        contact_hash: "her".into(),
        channel: Channel::Sms,
        granted,
        reason: reason.into(),
        conversation_id: None,
        at: at(10, minute),
        safe_hours: None,
        expires_at: None,
        code_word_sealed: None,
    }
}

pub async fn her_latest_consent_comes_back_with_its_terms(store: Arc<dyn Store>) {
    assert_eq!(
        store
            .latest_consent("her", Channel::Sms)
            .await
            .expect("read"),
        None
    );
    store
        .record_consent(&word(true, "wrote_first", 1))
        .await
        .expect("kept");
    let plain = store
        .latest_consent("her", Channel::Sms)
        .await
        .expect("read")
        .expect("recorded");
    assert_eq!(
        plain.terms(),
        ConsentTerms {
            granted: true,
            safe_hours: None,
            expires_at: None
        }
    );
    assert_eq!(plain.code_word_sealed, None);

    let night = SafeHours::parse("22:00", "06:30").expect("hours");
    let terms = NewConsent {
        safe_hours: Some(night),
        expires_at: Some(at(18, 0)),
        code_word_sealed: Some(vec![7, 7, 7]),
        ..word(true, "terms", 2)
    };
    store.record_consent(&terms).await.expect("kept");
    let latest = store
        .latest_consent("her", Channel::Sms)
        .await
        .expect("read")
        .expect("recorded");
    assert_eq!(latest.reason, "terms");
    assert_eq!(latest.at, at(10, 2));
    assert_eq!(latest.safe_hours, Some(night), "a window across midnight");
    assert_eq!(latest.expires_at, Some(at(18, 0)));
    assert_eq!(latest.code_word_sealed, Some(vec![7, 7, 7]));
    assert_eq!(
        store.consent("her", Channel::Sms).await.expect("read"),
        Some(true),
        "the plain answer agrees"
    );
    assert_eq!(
        store
            .latest_consent("her", Channel::Whatsapp)
            .await
            .expect("read"),
        None,
        "per channel"
    );
    assert_eq!(
        store
            .latest_consent("someone else", Channel::Sms)
            .await
            .expect("read"),
        None,
        "per number"
    );
}

pub async fn terms_set_by_staff_are_kept_with_their_audit_entry(store: Arc<dyn Store>) {
    let entry = AuditEntry {
        action: "set-consent".into(),
        subject: "conversation/K7Q/consent/sms".into(),
        after: Some(r#"{"granted":false}"#.into()),
        ..audit()
    };
    store
        .record_consent_audited(&word(false, "terms", 3), &entry)
        .await
        .expect("kept");
    let latest = store
        .latest_consent("her", Channel::Sms)
        .await
        .expect("read")
        .expect("recorded");
    assert!(!latest.granted);
    let log = store.audit_log(10).await.expect("read");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].entry.action, "set-consent");
    assert_eq!(log[0].entry.subject, "conversation/K7Q/consent/sms");
}
