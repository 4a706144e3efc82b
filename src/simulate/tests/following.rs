//! Following the hotline's TwiML as Twilio does: menus, relative URLs, whispers, voicemail,
//! signatures over the public URL, and the errors that end a simulation clearly.

use super::*;

#[tokio::test]
async fn the_first_phone_that_accepts_at_the_whisper_takes_the_call() -> Result<(), SimulateError> {
    let (address, fake) = serve(
        // After a conversation, the hotline hangs up (later pages replace earlier ones).
        &[
            &HOTLINE[..],
            &[("/webhooks/voice/dial", "<Response><Hangup/></Response>")],
        ]
        .concat(),
        None,
    )
    .await;
    let script = CallScript::default()
        .digits(["1"])
        .phone(A, Behaviour::Voicemail)
        .phone(B, Behaviour::Accept);
    let transcript = run_call(&address, &script, &signer()).await?;
    assert_eq!(transcript.connected_to(), Some(B), "{transcript}");
    assert_eq!(transcript.rang(), [A, B]);
    assert!(transcript.events.contains(&Event::NotAnswered {
        number: A.to_owned(),
        status: LegStatus::Canceled
    }));
    assert_eq!(transcript.voicemail_seconds(), None);
    let requests = received(&fake);
    assert!(requests.iter().all(|r| r.signed), "{requests:?}");
    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/webhooks/voice",
            "/webhooks/menu",
            // B's leg callbacks come as they happen: ringing at once, completed after the talk.
            "/webhooks/leg",
            "/webhooks/whisper",
            "/webhooks/accepted",
            "/webhooks/leg",
            "/webhooks/voice/dial?attempt=0",
            "/webhooks/voice/status"
        ]
    );
    let whisper = &requests[3];
    let dial = &requests[6];
    assert_eq!(
        whisper.param("ParentCallSid"),
        Some(transcript.call_sid.as_str())
    );
    assert_eq!(
        whisper.param("From"),
        Some("+77010000000"),
        "staff see the hotline number"
    );
    assert_eq!(dial.param("DialCallStatus"), Some("completed"));
    assert_eq!(
        dial.param("DialCallSid"),
        whisper.param("CallSid"),
        "the leg that took the call"
    );
    // From B's pick-up: 1 s of whisper, 1 s to press 1, then 30 s of conversation.
    assert_eq!(dial.param("DialCallDuration"), Some("32"));
    assert_eq!(dial.param("DialBridged"), Some("true"));
    assert_eq!(requests[2].param("CallStatus"), Some("ringing"));
    assert_eq!(requests[5].param("CallStatus"), Some("completed"));
    assert_eq!(requests[5].param("SequenceNumber"), Some("1"));
    let status = &requests[7];
    assert_eq!(status.param("CallStatus"), Some("completed"));
    assert_eq!(status.param("CallSid"), Some(transcript.call_sid.as_str()));
    assert!(
        status
            .param("CallDuration")
            .and_then(|d| d.parse::<u32>().ok())
            .is_some_and(|d| d >= 30)
    );
    Ok(())
}

#[tokio::test]
async fn a_voicemail_that_picks_up_does_not_swallow_the_call() -> Result<(), SimulateError> {
    let (address, fake) = serve(&HOTLINE, None).await;
    let script = CallScript::default()
        .digits(["1"])
        .phone(A, Behaviour::Voicemail)
        .phone(B, Behaviour::Decline);
    let transcript = run_call(&address, &script, &signer()).await?;
    assert_eq!(transcript.connected_to(), None, "{transcript}");
    assert!(transcript.events.contains(&Event::StaffSilent {
        number: A.to_owned()
    }));
    assert!(transcript.events.contains(&Event::NotAnswered {
        number: A.to_owned(),
        status: LegStatus::NotAccepted
    }));
    assert!(transcript.events.contains(&Event::NotAnswered {
        number: B.to_owned(),
        status: LegStatus::Busy
    }));
    assert_eq!(transcript.voicemail_seconds(), Some(12));
    assert_eq!(transcript.heard().last(), Some(&"Спасибо"));
    let requests = received(&fake);
    let by_path = |path: &str| requests.iter().find(|r| r.path == path).cloned();
    let dial = by_path("/webhooks/voice/dial?attempt=0").expect("the dial's action");
    // A's voicemail answered the leg, and the whisper hung it up: Twilio reports the dialled
    // call completed, and only DialBridged tells that nobody was put through.
    assert_eq!(dial.param("DialCallStatus"), Some("completed"));
    assert_eq!(dial.param("DialBridged"), Some("false"));
    assert_eq!(dial.param("DialCallDuration"), None);
    let voicemail = by_path("/webhooks/voice/voicemail").expect("the record's action");
    assert_eq!(voicemail.param("RecordingDuration"), Some("12"));
    assert_eq!(voicemail.param("Digits"), Some("#"));
    let recording = by_path("/webhooks/voice/recording").expect("the recording callback");
    assert_eq!(
        recording.param("RecordingSid"),
        voicemail.param("RecordingSid")
    );
    assert_eq!(recording.param("RecordingStatus"), Some("completed"));
    let leg = by_path("/webhooks/leg").expect("B's leg callback");
    assert_eq!(leg.param("CallStatus"), Some("ringing"));
    Ok(())
}

#[tokio::test]
async fn without_input_the_menu_moves_on_and_without_voicemail_she_hangs_up()
-> Result<(), SimulateError> {
    let (address, _) = serve(&HOTLINE, None).await;
    let transcript = run_call(&address, &CallScript::default(), &signer()).await?;
    assert_eq!(transcript.heard(), ["Нажмите 1", "Нет ввода"]);
    assert!(
        matches!(transcript.events.last(), Some(Event::Ended { status, .. }) if status == "completed")
    );
    let (address, _) = serve(&HOTLINE, None).await;
    let script = CallScript {
        leave_voicemail: false,
        other_phones: Behaviour::NoAnswer,
        ..CallScript::default().digits(["1"])
    };
    let transcript = run_call(&address, &script, &signer()).await?;
    assert!(
        transcript.events.contains(&Event::CallerHungUp),
        "{transcript}"
    );
    assert_eq!(transcript.voicemail_seconds(), None);
    Ok(())
}

#[tokio::test]
async fn signatures_cover_the_public_url_when_the_server_has_one() -> Result<(), SimulateError> {
    let public = "https://hotline.example.org";
    let (address, fake) = serve(&HOTLINE, Some(public)).await;
    let script = CallScript {
        public_url: Some(public.to_owned()),
        ..CallScript::default()
    };
    run_call(&address, &script, &signer()).await?;
    let requests = received(&fake);
    assert!(
        !requests.is_empty() && requests.iter().all(|r| r.signed),
        "{requests:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_loop_errors_and_bad_answers_end_the_simulation_clearly() {
    let (address, _) = serve(
        &[(
            "/webhooks/voice",
            "<Response><Redirect>voice</Redirect></Response>",
        )],
        None,
    )
    .await;
    let result = run_call(&address, &CallScript::default(), &signer()).await;
    assert_eq!(result, Err(SimulateError::TooManySteps(50)));

    let (address, _) = serve(
        &[(
            "/webhooks/voice",
            "<Response><Dial><Number>+77015550101</Number></Dial></Response>",
        )],
        None,
    )
    .await;
    let result = run_call(&address, &CallScript::default(), &signer()).await;
    assert!(
        matches!(result, Err(SimulateError::HttpStatus { status: 500, ref url, .. }) if url.ends_with("/webhooks/voice/status")),
        "{result:?}"
    );

    let (address, _) = serve(
        &[("/webhooks/voice", "<Response><Sya>typo</Sya></Response>")],
        None,
    )
    .await;
    let result = run_call(&address, &CallScript::default(), &signer()).await;
    assert!(
        matches!(result, Err(SimulateError::BadTwiml { .. })),
        "{result:?}"
    );
}

#[test]
fn a_call_can_run_on_a_spawned_task() {
    fn is_send<T: Send>(_: &T) {}
    let (script, signer) = (CallScript::default(), signer());
    is_send(&run_call("http://127.0.0.1:9", &script, &signer));
}
