//! Twilio's awkward moments, against the fake hotline: the caller hanging up during each verb,
//! staff phones that fail, refuse or hang up at the whisper, two people accepting at once,
//! retries, status callbacks held back and shuffled, and the simulated clock and silences.

use super::*;

/// The hotline with the dial the real server makes: a hold message, `answerOnBridge`, every leg
/// event subscribed; after a conversation the hotline hangs up.
fn on_bridge() -> Vec<(&'static str, &'static str)> {
    let mut pages = HOTLINE.to_vec();
    pages.extend([
        (
            "/webhooks/menu",
            r#"<Response><Say>Соединяю</Say><Dial answerOnBridge="true" callerId="+77010000000" action="/webhooks/voice/dial?attempt=0" timeout="20"><Number url="whisper" statusCallback="leg" statusCallbackEvent="initiated ringing answered completed">+77015550101</Number><Number url="whisper" statusCallback="leg" statusCallbackEvent="initiated ringing answered completed">+77015550102</Number></Dial></Response>"#,
        ),
        ("/webhooks/voice/dial", "<Response><Hangup/></Response>"),
    ]);
    pages
}

fn find<'r>(requests: &'r [Received], path: &str) -> Vec<&'r Received> {
    requests.iter().filter(|r| r.path == path).collect()
}

fn paths(requests: &[Received]) -> Vec<&str> {
    requests.iter().map(|r| r.path.as_str()).collect()
}

/// Each leg callback as (CallSid, SequenceNumber, CallStatus).
fn leg_events(requests: &[Received]) -> Vec<(String, String, String)> {
    find(requests, "/webhooks/leg")
        .iter()
        .map(|r| {
            let get = |name| r.param(name).unwrap_or_default().to_owned();
            (get("CallSid"), get("SequenceNumber"), get("CallStatus"))
        })
        .collect()
}

#[tokio::test]
async fn the_clock_tells_how_long_she_waited_and_answer_on_bridge_spares_her_silence()
-> Result<(), SimulateError> {
    let (address, fake) = serve(&on_bridge(), None).await;
    let script = CallScript::default()
        .digits(["1"])
        .phone(A, Behaviour::NoAnswer)
        .phone(B, Behaviour::Accept);
    let transcript = run_call(&address, &script, &signer()).await?;
    // Menu 1 s, press 1 s, hold message 1 s; B picks up 4 s later, hears 1 s, presses 1 s.
    assert_eq!(transcript.connected_after(), Some(9), "{transcript}");
    assert_eq!(transcript.duration(), 39, "and 30 s of conversation");
    assert_eq!(transcript.silences(), [], "{:?}", transcript.hearing);
    let status = received(&fake).pop().expect("the final status");
    assert_eq!(status.param("CallDuration"), Some("39"));

    // Without answerOnBridge she hears nothing while B hears the whisper.
    let (address, _) = serve(
        &[
            &HOTLINE[..],
            &[("/webhooks/voice/dial", "<Response><Hangup/></Response>")],
        ]
        .concat(),
        None,
    )
    .await;
    let transcript = run_call(&address, &script, &signer()).await?;
    assert_eq!(
        transcript.silences(),
        [Span {
            from: 6,
            to: 8,
            hearing: Hearing::Silence
        }]
    );
    Ok(())
}

#[tokio::test]
async fn a_caller_who_hangs_up_while_it_rings_cancels_the_legs_and_the_answer_is_ignored()
-> Result<(), SimulateError> {
    let (address, fake) = serve(&HOTLINE, None).await;
    let script = CallScript {
        other_phones: Behaviour::NoAnswer,
        ..CallScript::default()
            .digits(["1"])
            .hang_up(HangUp::WhileRinging(5))
    };
    let transcript = run_call(&address, &script, &signer()).await?;
    assert_eq!(transcript.caller_hung_up_at(), Some(7), "{transcript}");
    assert_eq!(
        transcript.unanswered_legs(),
        [(A, LegStatus::Canceled), (B, LegStatus::Canceled)]
    );
    assert!(!transcript.heard().contains(&"Оставьте сообщение"));
    assert!(
        transcript
            .events
            .iter()
            .any(|e| matches!(e, Event::AnswerIgnored { .. }))
    );
    let requests = received(&fake);
    assert_eq!(
        paths(&requests),
        [
            "/webhooks/voice",
            "/webhooks/menu",
            "/webhooks/leg",
            "/webhooks/leg",
            "/webhooks/voice/dial?attempt=0",
            "/webhooks/voice/status"
        ]
    );
    let dial = &requests[4];
    assert_eq!(dial.param("CallStatus"), Some("completed"));
    assert_eq!(dial.param("DialCallStatus"), Some("canceled"));
    assert_eq!(dial.param("DialBridged"), Some("false"));
    assert_eq!(dial.param("DialCallDuration"), None);
    assert_eq!(requests[3].param("CallStatus"), Some("canceled"));
    assert_eq!(requests[5].param("CallDuration"), Some("7"));
    Ok(())
}

#[tokio::test]
async fn a_hang_up_during_a_menu_ends_the_call_without_its_action() -> Result<(), SimulateError> {
    let (address, fake) = serve(&HOTLINE, None).await;
    let script = CallScript::default()
        .digits(["1"])
        .hang_up(HangUp::AfterSeconds(1));
    let transcript = run_call(&address, &script, &signer()).await?;
    assert_eq!(transcript.heard(), ["Нажмите 1"]);
    assert_eq!(transcript.caller_hung_up_at(), Some(1));
    assert_eq!(
        paths(&received(&fake)),
        ["/webhooks/voice", "/webhooks/voice/status"]
    );
    Ok(())
}

#[tokio::test]
async fn a_message_cut_short_by_a_hang_up_is_still_delivered() -> Result<(), SimulateError> {
    let (address, fake) = serve(&HOTLINE, None).await;
    let script = CallScript {
        other_phones: Behaviour::NoAnswer,
        // Menu 2 s, 20 s of ringing, 1 s of prompt, 1 s of beep: she records from 24 s.
        ..CallScript::default()
            .digits(["1"])
            .hang_up(HangUp::AfterSeconds(30))
    };
    let transcript = run_call(&address, &script, &signer()).await?;
    assert_eq!(transcript.voicemail_seconds(), Some(6), "{transcript}");
    assert!(!transcript.heard().contains(&"Спасибо"));
    let requests = received(&fake);
    let voicemail = find(&requests, "/webhooks/voice/voicemail");
    assert_eq!(voicemail.len(), 1);
    assert_eq!(voicemail[0].param("Digits"), Some("hangup"));
    assert_eq!(voicemail[0].param("CallStatus"), Some("completed"));
    assert_eq!(voicemail[0].param("RecordingDuration"), Some("6"));
    let recording = find(&requests, "/webhooks/voice/recording");
    assert_eq!(recording.len(), 1, "the file is ready all the same");
    let dial = find(&requests, "/webhooks/voice/dial?attempt=0");
    assert_eq!(dial[0].param("DialCallStatus"), Some("no-answer"));
    assert_eq!(dial[0].param("CallStatus"), Some("in-progress"));
    Ok(())
}

#[tokio::test]
async fn a_failed_leg_and_one_hung_up_at_the_whisper_leave_nobody_put_through()
-> Result<(), SimulateError> {
    let (address, fake) = serve(&on_bridge(), None).await;
    let script = CallScript::default()
        .digits(["1"])
        .phone(A, Behaviour::Failed)
        .phone(B, Behaviour::HangUpAtWhisper);
    let transcript = run_call(&address, &script, &signer()).await?;
    assert_eq!(transcript.connected_to(), None, "{transcript}");
    assert_eq!(
        transcript.unanswered_legs(),
        [(A, LegStatus::Failed), (B, LegStatus::HungUp)]
    );
    let requests = received(&fake);
    assert!(find(&requests, "/webhooks/accepted").is_empty());
    let dial = find(&requests, "/webhooks/voice/dial?attempt=0");
    assert_eq!(dial[0].param("DialCallStatus"), Some("completed"));
    assert_eq!(dial[0].param("DialBridged"), Some("false"));
    let events = leg_events(&requests);
    let statuses = |sid: &str| -> Vec<(String, String)> {
        events
            .iter()
            .filter(|(s, _, _)| s == sid)
            .map(|(_, n, status)| (n.clone(), status.clone()))
            .collect()
    };
    let sids: Vec<&str> = find(&requests, "/webhooks/leg")
        .iter()
        .filter_map(|r| r.param("CallSid"))
        .collect();
    let (a, b) = (sids[0], sids[2]);
    assert_eq!(
        statuses(a),
        [
            ("0".into(), "initiated".into()),
            ("1".into(), "failed".into())
        ]
    );
    assert_eq!(
        statuses(b),
        [
            ("0".into(), "initiated".into()),
            ("1".into(), "ringing".into()),
            ("2".into(), "in-progress".into()),
            ("3".into(), "completed".into())
        ]
    );

    let (address, fake) = serve(&on_bridge(), None).await;
    let script = CallScript::default()
        .digits(["1"])
        .phone(A, Behaviour::NoAnswer)
        .phone(B, Behaviour::Refuse);
    let transcript = run_call(&address, &script, &signer()).await?;
    assert_eq!(transcript.accepted_by(), Vec::<&str>::new());
    let accepted = find(&received(&fake), "/webhooks/accepted")
        .iter()
        .map(|r| r.param("Digits").map(str::to_owned))
        .collect::<Vec<_>>();
    assert_eq!(accepted, [Some("2".to_owned())], "she presses 2");
    Ok(())
}

#[tokio::test]
async fn two_people_who_accept_at_once_race_and_only_one_is_put_through()
-> Result<(), SimulateError> {
    let (address, fake) = serve(&on_bridge(), None).await;
    let script = CallScript::default().digits(["1"]);
    let transcript = run_call(&address, &script, &signer()).await?;
    assert_eq!(transcript.accepted_by(), [A, B], "{transcript}");
    assert_eq!(find(&received(&fake), "/webhooks/accepted").len(), 2);
    // The fake tells both the call is theirs: the emulator puts one through and says so.
    assert_eq!(transcript.connected_to(), Some(A));
    assert!(transcript.events.contains(&Event::AcceptedTooLate {
        number: B.to_owned()
    }));
    assert_eq!(transcript.unanswered_legs(), [(B, LegStatus::CutOff)]);
    Ok(())
}

#[tokio::test]
async fn every_request_is_retried_and_a_different_answer_is_reported() -> Result<(), SimulateError>
{
    let (address, fake) = serve(
        &[
            (
                "/webhooks/voice",
                "<Response><Say>Звонок {n}</Say><Hangup/></Response>",
            ),
            ("/webhooks/voice/status", ""),
        ],
        None,
    )
    .await;
    let script = CallScript {
        duplicate_requests: true,
        ..CallScript::default()
    };
    let transcript = run_call(&address, &script, &signer()).await?;
    assert_eq!(
        transcript.heard(),
        ["Звонок 2"],
        "the retry's answer is followed"
    );
    let differences = transcript.retry_differences();
    assert_eq!(differences.len(), 1, "{transcript}");
    assert!(
        matches!(differences[0], Event::RetryDiffered { url, .. } if url.ends_with("/webhooks/voice"))
    );
    assert_eq!(
        paths(&received(&fake)),
        [
            "/webhooks/voice",
            "/webhooks/voice",
            "/webhooks/voice/status",
            "/webhooks/voice/status"
        ]
    );
    Ok(())
}

#[tokio::test]
async fn held_status_callbacks_arrive_shuffled_at_the_end_with_their_sequence_numbers()
-> Result<(), SimulateError> {
    let mut orders = Vec::new();
    for seed in 0..4 {
        let (address, fake) = serve(&on_bridge(), None).await;
        let script = CallScript {
            shuffle_status_callbacks: true,
            seed,
            ..CallScript::default()
                .digits(["1"])
                .phone(A, Behaviour::NoAnswer)
                .phone(B, Behaviour::Accept)
        };
        run_call(&address, &script, &signer()).await?;
        let requests = received(&fake);
        let action = requests
            .iter()
            .position(|r| r.path.starts_with("/webhooks/voice/dial"))
            .expect("the dial's action");
        assert!(
            requests[action + 1..]
                .iter()
                .all(|r| r.path == "/webhooks/leg" || r.path == "/webhooks/voice/status"),
            "{:?}",
            paths(&requests)
        );
        assert_eq!(
            requests.len() - action - 1,
            8,
            "7 leg events and the call's own"
        );
        let mut events = leg_events(&requests);
        orders.push(events.clone());
        events.sort();
        let mut statuses: Vec<(String, String)> =
            events.into_iter().map(|(_, n, s)| (n, s)).collect();
        statuses.sort();
        assert_eq!(
            statuses,
            [
                ("0", "initiated"),
                ("0", "initiated"),
                ("1", "ringing"),
                ("1", "ringing"),
                ("2", "canceled"),
                ("2", "in-progress"),
                ("3", "completed")
            ]
            .map(|(n, s)| (n.to_owned(), s.to_owned()))
        );
    }
    orders.dedup();
    assert!(orders.len() > 1, "different seeds, different orders");
    Ok(())
}

#[tokio::test]
async fn a_caller_who_hangs_up_mid_conversation_ends_a_bridged_dial() -> Result<(), SimulateError> {
    let (address, fake) = serve(
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
        .phone(A, Behaviour::NoAnswer)
        .phone(B, Behaviour::Accept)
        .hang_up(HangUp::AfterSeconds(20));
    let transcript = run_call(&address, &script, &signer()).await?;
    assert_eq!(transcript.connected_after(), Some(8), "{transcript}");
    assert!(transcript.events.contains(&Event::Talked { seconds: 12 }));
    let requests = received(&fake);
    let dial = find(&requests, "/webhooks/voice/dial?attempt=0");
    assert_eq!(dial[0].param("CallStatus"), Some("completed"));
    assert_eq!(dial[0].param("DialCallStatus"), Some("completed"));
    assert_eq!(dial[0].param("DialBridged"), Some("true"));
    assert_eq!(
        dial[0].param("DialCallDuration"),
        Some("14"),
        "from the pick-up"
    );
    let legs = find(&requests, "/webhooks/leg");
    let completed = legs.last().expect("B's completed event");
    assert_eq!(
        completed.param("CallDuration"),
        Some("14"),
        "up from 6 s to 20 s"
    );
    Ok(())
}
