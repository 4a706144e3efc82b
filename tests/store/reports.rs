//! Counts for the digest and the reports: conversations opened in a span, by service.

use std::sync::Arc;

use chrono::Duration;
use hotline::store::*;
use hotline_schedules::Service;

use crate::at;

fn opened(code: &str, contact: &str, service: Service, hour: u32) -> NewConversation {
    NewConversation {
        code: code.to_owned(),
        line_number: "+77010000000".to_owned(),
        channel: Channel::Whatsapp,
        contact_sealed: vec![1, 2, 3],
        contact_hash: contact.to_owned(),
        service,
        opened_at: at(hour, 0),
    }
}

pub async fn conversations_are_counted_by_service_within_their_span(store: Arc<dyn Store>) {
    let opening = [
        ("A11", "her-1", Service::Legal, 8),
        ("A12", "her-2", Service::Legal, 10),
        ("A13", "her-3", Service::Psychological, 11),
        ("A14", "her-4", Service::Legal, 12),
    ];
    for (code, contact, service, hour) in opening {
        store
            .start_conversation(
                &opened(code, contact, service, hour),
                at(0, 0) - Duration::days(30),
            )
            .await
            .expect("kept")
            .expect("opened");
    }
    // From 10:00 (in) to 12:00 (out).
    let counted = store
        .conversations_opened(at(10, 0), at(12, 0))
        .await
        .expect("counted");
    assert_eq!(
        counted,
        vec![(Service::Legal, 1), (Service::Psychological, 1)]
    );
    assert!(
        store
            .conversations_opened(at(13, 0), at(14, 0))
            .await
            .expect("counted")
            .is_empty()
    );
}
