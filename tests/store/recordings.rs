//! A voicemail's audio: kept once, sealed as given, found by its call, resealable; never kept
//! for a voicemail whose recording was erased, and gone when she is erased.

use std::sync::Arc;

use hotline::store::*;

use crate::{at, call};

fn audio(voicemail_id: i64) -> NewVoicemailAudio {
    NewVoicemailAudio {
        voicemail_id,
        audio_sealed: vec![7; 3000],
        size_bytes: 2960,
        content_type: "audio/mpeg".into(),
        fetched_at: at(10, 5),
    }
}

pub async fn a_voicemails_audio_is_kept_once_and_never_for_an_erased_recording(
    store: Arc<dyn Store>,
) {
    let first = store.record_call(&call("CA01")).await.expect("recorded");
    assert_eq!(
        store.voicemail_recording(first.id).await.expect("read"),
        None,
        "no voicemail yet"
    );
    let voicemail = NewVoicemail {
        call_id: first.id,
        recording_sid: "RE01".into(),
        recording_sealed: vec![9, 9],
        duration_secs: Some(12),
        created_at: at(10, 3),
    };
    assert!(store.record_voicemail(&voicemail).await.expect("kept"));
    let recording = store
        .voicemail_recording(first.id)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(
        (recording.recording_sid.as_str(), recording.has_audio),
        ("RE01", false)
    );
    assert!(!recording.is_erased());
    assert!(
        store
            .voicemail_audio(first.id)
            .await
            .expect("read")
            .is_none()
    );

    let new = audio(recording.voicemail_id);
    assert!(store.keep_voicemail_audio(&new).await.expect("kept"));
    assert!(
        !store
            .keep_voicemail_audio(&new)
            .await
            .expect("a repeat is fine"),
        "kept once"
    );
    let kept = store
        .voicemail_audio(first.id)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(
        (
            kept.audio_sealed,
            kept.size_bytes,
            kept.content_type.as_str()
        ),
        (vec![7; 3000], 2960, "audio/mpeg")
    );
    assert!(
        store
            .voicemail_recording(first.id)
            .await
            .expect("read")
            .expect("there")
            .has_audio
    );
    let sealed = store
        .sealed_values(SealedColumn::VoicemailAudio, 0, 10)
        .await
        .expect("read");
    assert_eq!(sealed.len(), 1, "rekey finds it");

    assert_eq!(store.follow_up_of_call(first.id).await.expect("read"), None);
    let opened = store
        .open_follow_up(&NewFollowUp {
            call_id: first.id,
            kind: CallOutcome::Voicemail,
            service: None,
            line_number: "+77010000000".into(),
            created_at: at(10, 4),
        })
        .await
        .expect("opened");
    assert_eq!(
        store.follow_up_of_call(first.id).await.expect("read"),
        opened,
        "the player in the call log finds it"
    );

    // Erased (as erasure and retention blank it) before its audio came: nothing is kept.
    let second = store.record_call(&call("CA02")).await.expect("recorded");
    store
        .record_voicemail(&NewVoicemail {
            call_id: second.id,
            recording_sid: "RE02".into(),
            ..voicemail
        })
        .await
        .expect("kept");
    store
        .erase_contact("hash-of-caller", "test", at(11, 0))
        .await
        .expect("erased");
    let erased = store
        .voicemail_recording(second.id)
        .await
        .expect("read")
        .expect("still there, to be counted");
    assert!(erased.is_erased());
    assert!(
        !store
            .keep_voicemail_audio(&audio(erased.voicemail_id))
            .await
            .expect("ran"),
        "never kept for an erased recording"
    );
    for call_id in [first.id, second.id] {
        assert!(
            store
                .voicemail_audio(call_id)
                .await
                .expect("read")
                .is_none()
        );
    }
}

pub async fn a_voicemails_audio_is_sealed_again_by_rekey(store: Arc<dyn Store>) {
    use hotline::crypto::DataKey;

    let (old_hex, new_hex) = (DataKey::generate_hex(), DataKey::generate_hex());
    let old = DataKey::from_hex(&old_hex).expect("a key");
    // Audio is not text: bytes that are no UTF-8 at all.
    let voice: Vec<u8> = (0..2000u32).map(|i| (i * 131 % 251) as u8 | 0x80).collect();
    let first = store.record_call(&call("CA01")).await.expect("recorded");
    store
        .record_voicemail(&NewVoicemail {
            call_id: first.id,
            recording_sid: "RE01".into(),
            recording_sealed: old
                .seal("https://api.twilio.com/2010-04-01/Accounts/AC01/Recordings/RE01"),
            duration_secs: Some(12),
            created_at: at(10, 3),
        })
        .await
        .expect("kept");
    let voicemail_id = store
        .voicemail_recording(first.id)
        .await
        .expect("read")
        .expect("there")
        .voicemail_id;
    assert!(
        store
            .keep_voicemail_audio(&NewVoicemailAudio {
                audio_sealed: old.seal_bytes(&voice),
                ..audio(voicemail_id)
            })
            .await
            .expect("kept")
    );

    let ring = DataKey::ring(&new_hex, std::slice::from_ref(&old_hex), None).expect("a ring");
    let report = hotline::rekey::rekey(store.as_ref(), &ring)
        .await
        .expect("rekeyed");
    let audio_column = report
        .iter()
        .find(|r| r.column == "voicemail_audio.audio_sealed")
        .expect("rekey goes through the audio");
    assert_eq!((audio_column.resealed, audio_column.unreadable), (1, 0));
    let kept = store
        .voicemail_audio(first.id)
        .await
        .expect("read")
        .expect("kept");
    assert!(ring.sealed_with_current(&kept.audio_sealed));
    let new_only = DataKey::ring(&new_hex, &[], None).expect("a ring");
    assert_eq!(new_only.open_bytes(&kept.audio_sealed), Ok(voice));
}
