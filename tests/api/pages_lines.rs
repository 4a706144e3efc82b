//! The Lines page: the coordinator sets the default line to ring everyone at once, open at
//! night only (past midnight) and closed on Nauryz, and a call on Nauryz hears the line closed;
//! a ring time the hotline cannot use is refused beside its field with what she typed kept and
//! nothing stored; she gives a number its own settings and removes them again, each change in
//! the audit log with what it was and what it became. She uploads a Kazakh welcome recorded as
//! WAV, it is kept under a name the server made, and the next caller hears it played; a file
//! that is not audio, one too big, and one posted without the session's token are refused with
//! nothing written. A staff member cannot open or change any of it.

use hotline::store::{PageLanguage, Role};
use hotline_routes::line::{Line, RingStrategy};
use hotline_routes::prompts::Prompt;
use hotline_routes::twiml::{self, Verb, VoiceResponse};
use hotline_schedules::{Gender, Language, Service};

use crate::databases::TestDatabase;
use crate::helpers::{HOTLINE_NUMBER, TestApp, spawn_app, spawn_app_serving_prompts};
use crate::pages_browser::{Browser, PASSWORD, add_user, coordinator};
use crate::voice::spoken;

async fn stored(app: &TestApp, number: &str) -> Option<Line> {
    app.store
        .line(number)
        .await
        .expect("read")
        .map(|body| serde_json::from_str(&body).expect("a line"))
}

/// The default line's form, filled in as the coordinator would: Kazakh first, legal help then
/// psychological (no men's line), everyone rung at once, open every night from 20:00 to 08:00
/// and closed on Nauryz.
fn night_line(csrf: &str) -> Vec<(&str, &str)> {
    let mut form = vec![
        ("csrf", csrf),
        ("name", "Ночная линия"),
        ("language-kk", "1"),
        ("language-ru", "2"),
        ("default_language", "ru"),
        ("service-legal", "1"),
        ("service-psychological", "2"),
        ("service-mens", ""),
        ("ring", "simultaneous"),
        ("ring_seconds", "25"),
        ("wait_limit_seconds", "120"),
        ("prefer_gender", "female"),
        ("hours", "windows"),
        ("w0-from", "20:00"),
        ("w0-to", "08:00"),
        ("w1-from", ""),
        ("w1-to", ""),
        ("holidays", "2027-03-22"),
    ];
    for day in ["w0-0", "w0-1", "w0-2", "w0-3", "w0-4", "w0-5", "w0-6"] {
        form.push((day, "on"));
    }
    form
}

#[tokio::test]
async fn the_coordinator_sets_the_default_line_and_a_call_on_a_holiday_finds_it_closed() {
    let app = spawn_app().await;
    app.on_duty_now("Айгерим", "+77015550101", Service::Legal)
        .await;
    let browser = coordinator(&app).await;
    let list = browser.get("/lines").await;
    assert_eq!(list.status, 200);
    assert!(
        list.body.contains("href=\"/lines/default\""),
        "{}",
        list.body
    );
    assert!(
        list.body.contains("href=\"/lines\""),
        "the nav links to Lines"
    );
    let page = browser.get("/lines/default").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("name=\"language-kk\""));
    assert!(page.body.contains("enctype=\"multipart/form-data\""));

    let csrf = page.csrf();
    let saved = browser.post("/lines/default", &night_line(&csrf)).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(saved.location.as_deref(), Some("/lines/default"));
    let line = stored(&app, "default").await.expect("kept");
    assert_eq!(line.name, "Ночная линия");
    assert_eq!(line.languages, vec![Language::Kk, Language::Ru]);
    assert_eq!(line.services, vec![Service::Legal, Service::Psychological]);
    assert_eq!(line.ring, RingStrategy::Simultaneous);
    assert_eq!((line.ring_seconds, line.wait_limit_seconds), (25, 120));
    assert_eq!(line.prefer_gender, Some(Gender::Female));
    let hours = line.hours.clone().expect("hours");
    assert_eq!(hours.windows.len(), 1, "the empty row is left out");
    assert_eq!(hours.holidays.len(), 1);

    let log = app.store.audit_log(1).await.expect("read");
    let entry = &log[0].entry;
    assert_eq!(
        (
            entry.actor.as_str(),
            entry.action.as_str(),
            entry.subject.as_str()
        ),
        ("user:dinara", "create", "line/default")
    );
    assert!(
        entry.before.is_none(),
        "the default line had no settings of its own"
    );
    assert!(
        entry
            .after
            .as_deref()
            .is_some_and(|a| a.contains("simultaneous"))
    );

    let list = browser.get("/lines").await;
    assert!(list.body.contains("Ночная линия"));
    assert!(
        list.body
            .contains("ежедневно 20:00–08:00; закрыто: 2027-03-22"),
        "{}",
        list.body
    );
    assert!(list.body.contains("2027-03-22"));
    let again = browser.get("/lines/default").await;
    assert!(again.body.contains("value=\"20:00\"") && again.body.contains("2027-03-22"));

    // A second save is an update, with what it replaced.
    let mut form = night_line(&csrf);
    form.retain(|(name, _)| *name != "ring");
    form.push(("ring", "sequential"));
    assert_eq!(browser.post("/lines/default", &form).await.status, 303);
    let log = app.store.audit_log(1).await.expect("read");
    assert_eq!(log[0].entry.action, "update");
    assert!(
        log[0]
            .entry
            .before
            .as_deref()
            .is_some_and(|b| b.contains("simultaneous"))
    );
    assert_eq!(
        stored(&app, "default").await.expect("kept").ring,
        RingStrategy::Sequential
    );

    // Nauryz, at 23:00 in Shymkent: inside the night window, but a holiday.
    app.clock
        .set("2027-03-22T18:00:00Z".parse().expect("an instant"));
    let words = spoken(&app.call("CA-nauryz").dials().await);
    assert!(words.contains("Сейчас линия не работает"), "{words}");
    // The next night it answers.
    app.clock
        .set("2027-03-23T18:00:00Z".parse().expect("an instant"));
    let words = spoken(&app.call("CA-after").dials().await);
    assert!(!words.contains("Сейчас линия не работает"), "{words}");
}

#[tokio::test]
async fn a_ring_time_the_hotline_cannot_use_is_refused_beside_its_field_and_nothing_is_kept() {
    let app = spawn_app().await;
    let browser = coordinator(&app).await;
    let csrf = browser.get("/lines/default").await.csrf();
    for (typed, status) in [("200", 422), ("twenty", 422)] {
        let mut form = night_line(&csrf);
        form.retain(|(name, _)| *name != "ring_seconds");
        form.push(("ring_seconds", typed));
        let refused = browser.post("/lines/default", &form).await;
        assert_eq!(refused.status, status, "{typed}");
        assert!(
            refused
                .body
                .contains("id=\"ring-seconds-problem\">Число от 5 до 120."),
            "{}",
            refused.body
        );
        assert!(
            refused.body.contains(&format!(
                "name=\"ring_seconds\" inputmode=\"numeric\" value=\"{typed}\""
            )),
            "what she typed is kept"
        );
        assert!(refused.body.contains("Ночная линия") && refused.body.contains("2027-03-22"));
    }
    let mut form = night_line(&csrf);
    form.retain(|(name, _)| *name != "w0-from");
    form.push(("w0-from", ""));
    let refused = browser.post("/lines/default", &form).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("id=\"hours-problem\""));
    assert!(stored(&app, "default").await.is_none(), "nothing kept");
    assert!(app.store.audit_log(10).await.expect("read").is_empty());
}

#[tokio::test]
async fn a_number_gets_its_own_settings_and_loses_them_and_the_default_line_stays() {
    let app = spawn_app().await;
    let browser = coordinator(&app).await;
    let csrf = browser.get("/lines").await.csrf();
    let bad = browser
        .post("/lines", &[("csrf", &csrf), ("number", "8 701 000")])
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("id=\"number-problem\"") && bad.body.contains("value=\"8 701 000\""));

    let added = browser
        .post("/lines", &[("csrf", &csrf), ("number", "+7 701 000-00-00")])
        .await;
    assert_eq!(added.status, 303);
    let path = format!("/lines/{HOTLINE_NUMBER}");
    assert_eq!(added.location.as_deref(), Some(path.as_str()));
    assert_eq!(stored(&app, HOTLINE_NUMBER).await, Some(Line::default()));
    let page = browser.get(&path).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&format!("action=\"{path}/remove\"")));
    assert!(
        browser
            .get("/lines")
            .await
            .body
            .contains(&format!("href=\"{path}\""))
    );

    let removed = browser
        .post(&format!("{path}/remove"), &[("csrf", &csrf)])
        .await;
    assert_eq!(removed.status, 303);
    assert_eq!(stored(&app, HOTLINE_NUMBER).await, None);
    let log = app.store.audit_log(1).await.expect("read");
    assert_eq!(log[0].entry.action, "delete");
    assert!(log[0].entry.before.is_some());
    assert_eq!(
        browser.get(&path).await.status,
        404,
        "it has none of its own now"
    );

    let default = browser.get("/lines/default").await;
    assert!(!default.body.contains("/lines/default/remove"));
    let kept = browser
        .post("/lines/default/remove", &[("csrf", &csrf)])
        .await;
    assert_eq!(kept.status, 409);
}

#[tokio::test]
async fn staff_cannot_open_or_change_a_line_and_a_forged_form_changes_nothing() {
    let app = spawn_app().await;
    let coordinator = coordinator(&app).await;
    let forged = coordinator
        .post("/lines/default", &night_line("")[1..])
        .await;
    assert_eq!(forged.status, 403);
    let forged = coordinator
        .post("/lines", &[("number", HOTLINE_NUMBER)])
        .await;
    assert_eq!(forged.status, 403);

    let lawyer = app
        .add_staff("Айгерим", "+77015550101", vec![Service::Legal], false)
        .await;
    add_user(&app, "aigerim", Role::Staff, Some(lawyer), PageLanguage::Ru).await;
    let staff = Browser::new(&app);
    staff.sign_in("aigerim", PASSWORD).await;
    let own = staff.get("/").await;
    assert!(
        !own.body.contains("href=\"/lines\""),
        "no Lines link for staff"
    );
    assert_eq!(staff.get("/lines").await.status, 403);
    assert_eq!(staff.get("/lines/default").await.status, 403);
    let staff_csrf = own.csrf();
    assert_eq!(
        staff
            .post("/lines/default", &night_line(&staff_csrf))
            .await
            .status,
        403
    );
    assert_eq!(
        staff
            .post(
                "/lines",
                &[("csrf", &staff_csrf), ("number", HOTLINE_NUMBER)]
            )
            .await
            .status,
        403
    );
    let upload = post_upload(
        &staff,
        "/lines/default/recordings",
        &recording_form(&staff_csrf, &wav()),
    )
    .await;
    assert_eq!(upload.0, 403);
    assert!(stored(&app, "default").await.is_none());
    assert!(stored(&app, HOTLINE_NUMBER).await.is_none());
}

/// A real, tiny WAV: a RIFF header, PCM 8 kHz mono 16-bit, a tenth of a second of silence.
fn wav() -> Vec<u8> {
    let samples = vec![0u8; 1600];
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"RIFF");
    bytes.extend_from_slice(&(36 + samples.len() as u32).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt ");
    bytes.extend_from_slice(&16u32.to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes()); // PCM
    bytes.extend_from_slice(&1u16.to_le_bytes()); // mono
    bytes.extend_from_slice(&8000u32.to_le_bytes());
    bytes.extend_from_slice(&16000u32.to_le_bytes());
    bytes.extend_from_slice(&2u16.to_le_bytes());
    bytes.extend_from_slice(&16u16.to_le_bytes());
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&(samples.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&samples);
    bytes
}

/// A multipart part: a field's name, and its file name when it is a file.
type Part<'a> = (&'a str, Option<&'a str>, Vec<u8>);

fn recording_form<'a>(csrf: &'a str, file: &[u8]) -> Vec<Part<'a>> {
    vec![
        ("csrf", None, csrf.as_bytes().to_vec()),
        ("language", None, b"kk".to_vec()),
        ("prompt", None, b"welcome".to_vec()),
        ("file", Some("../../etc/приветствие.wav"), file.to_vec()),
    ]
}

/// Posts `parts` as a browser posts a form with a file, in the order given.
async fn post_upload(browser: &Browser, path: &str, parts: &[Part<'_>]) -> (u16, String) {
    const BOUNDARY: &str = "----hotline-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, file, content) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match file {
            Some(file) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: audio/wav\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let response = browser
        .client
        .post(format!("{}{path}", browser.address()))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
        .send()
        .await
        .expect("the server answers");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// The URLs a TwiML document plays, inside a menu or not.
fn played(twiml: &VoiceResponse) -> Vec<String> {
    let mut urls = Vec::new();
    for verb in &twiml.verbs {
        match verb {
            Verb::Play(play) => urls.push(play.url.clone()),
            Verb::Gather(gather) => {
                for prompt in &gather.prompts {
                    if let twiml::Prompt::Play(play) = prompt {
                        urls.push(play.url.clone());
                    }
                }
            }
            _ => {}
        }
    }
    urls
}

#[tokio::test]
async fn an_uploaded_kazakh_welcome_is_kept_under_our_name_and_the_next_caller_hears_it() {
    let prompts = tempfile::tempdir().expect("a folder");
    let app = spawn_app_serving_prompts(TestDatabase::sqlite(), prompts.path().into()).await;
    let browser = coordinator(&app).await;
    let page = browser.get("/lines/default").await;
    assert!(page.body.contains("нет записи"));
    let csrf = page.csrf();
    let recording = wav();

    let (status, body) = post_upload(
        &browser,
        "/lines/default/recordings",
        &recording_form(&csrf, &recording),
    )
    .await;
    assert_eq!(status, 303, "{body}");
    let files = files_in(prompts.path());
    assert_eq!(files.len(), 1, "{files:?}");
    let name = &files[0];
    assert!(
        name.starts_with("line-default-kk-welcome-") && name.ends_with(".wav"),
        "a name we made, never hers: {name}"
    );
    assert_eq!(
        std::fs::read(prompts.path().join(name)).expect("kept"),
        recording
    );
    let url = format!("/prompts/{name}");
    let line = stored(&app, "default").await.expect("kept");
    assert_eq!(
        line.recording(Language::Kk, Prompt::Welcome),
        Some(url.as_str())
    );
    let log = app.store.audit_log(1).await.expect("read");
    assert!(
        log[0]
            .entry
            .after
            .as_deref()
            .is_some_and(|a| a.contains(name.as_str()))
    );

    let served = app.get(&url).await;
    assert_eq!(served.status(), 200);
    assert_eq!(served.bytes().await.expect("a body").to_vec(), recording);
    let shown = browser.get("/lines/default").await;
    assert!(
        shown
            .body
            .contains(&format!("<audio controls preload=\"none\" src=\"{url}\">"))
    );

    // The real proof: the next caller hears the recording.
    let menu = app.call("CA-recorded").dials().await;
    assert!(played(&menu).contains(&url), "{:?}", menu.verbs);

    // Removed, she hears Russian speech again; the file stays for the audit log.
    let removed = browser
        .post(
            "/lines/default/recordings/remove",
            &[("csrf", &csrf), ("language", "kk"), ("prompt", "welcome")],
        )
        .await;
    assert_eq!(removed.status, 303);
    let line = stored(&app, "default").await.expect("kept");
    assert_eq!(line.recording(Language::Kk, Prompt::Welcome), None);
    assert!(played(&app.call("CA-spoken").dials().await).is_empty());
}

#[tokio::test]
async fn a_file_that_is_not_audio_too_big_or_without_the_token_is_refused_and_nothing_is_written() {
    let prompts = tempfile::tempdir().expect("a folder");
    let app = spawn_app_serving_prompts(TestDatabase::sqlite(), prompts.path().into()).await;
    let browser = coordinator(&app).await;
    let csrf = browser.get("/lines/default").await.csrf();

    let (status, body) = post_upload(
        &browser,
        "/lines/default/recordings",
        &recording_form(
            &csrf,
            b"<?php system($_GET['c']); ?> pretending to be a .wav",
        ),
    )
    .await;
    assert_eq!(status, 415);
    assert!(body.contains("Это не WAV и не MP3."), "{body}");
    assert!(
        body.contains("id=\"recordings-kk\" open"),
        "beside the prompt it was for"
    );

    let mut big = wav();
    big.resize(5 * 1024 * 1024 + 1, 0);
    let (status, body) = post_upload(
        &browser,
        "/lines/default/recordings",
        &recording_form(&csrf, &big),
    )
    .await;
    assert_eq!(status, 413);
    assert!(body.contains("Файл больше 5 МБ."), "{body}");

    let mut no_token = recording_form("", &wav());
    no_token.remove(0);
    let (status, _) = post_upload(&browser, "/lines/default/recordings", &no_token).await;
    assert_eq!(status, 403);
    let (status, _) = post_upload(
        &browser,
        "/lines/default/recordings",
        &recording_form("0".repeat(64).as_str(), &wav()),
    )
    .await;
    assert_eq!(status, 403, "a wrong token");
    // The token after the file is too late: the file would have been read first.
    let mut late = recording_form(&csrf, &wav());
    late.rotate_left(1);
    let (status, _) = post_upload(&browser, "/lines/default/recordings", &late).await;
    assert_eq!(status, 403);

    assert!(files_in(prompts.path()).is_empty(), "nothing written");
    assert!(
        stored(&app, "default").await.is_none(),
        "the line unchanged"
    );
    assert!(app.store.audit_log(10).await.expect("read").is_empty());
}
