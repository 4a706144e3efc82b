//! Her voicemail, brought home: she calls the legal line and leaves a message; the recording
//! callback comes (twice, as Twilio may send it); the job fetches the audio from the provider
//! once, keeps it sealed, and deletes it at the provider (prism checks the DELETE). The
//! coordinator plays the exact bytes from the follow-up's page, and so does the lawyer of that
//! service; the psychologist gets "not found", a stranger the sign-in; each play is audited.
//! A fetch that fails is tried again; one that keeps failing says so on the page. Erasure and
//! retention take the audio away, and erasure before the fetch still deletes it at the provider.

use chrono::Duration;
use hotline::clock::Clock;
use hotline::jobs::Jobs;
use hotline::jobs::runner::{JobSettings, Pass};
use hotline::store::{PageLanguage, Role};
use hotline::telephony::client::TwilioClient;
use hotline_schedules::Service;

use crate::databases::TestDatabase;
use crate::helpers::{TestApp, audit, spawn_app_on};
use crate::outbox::fake_provider::{ACCOUNT_SID, FakeProvider, PROVIDER_TOKEN};
use crate::pages_browser::{Browser, PASSWORD, add_user, coordinator};
use crate::voice::{LAWYER, PSYCHOLOGIST};

const RECORDING_SID: &str = "RE0123456789abcdef0123456789abcdef";

/// A tiny MP3: three MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz, 417 bytes each) whose
/// bodies hold a pattern found nowhere else, so its plain bytes can be looked for on disk.
fn her_voice() -> Vec<u8> {
    let mut seed: u32 = 0x5eed_1234;
    let mut audio = Vec::new();
    for _ in 0..3 {
        audio.extend_from_slice(&[0xFF, 0xFB, 0x90, 0x64]);
        audio.extend((0..413).map(|_| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 24) as u8
        }));
    }
    audio
}

/// The app, the fake provider keeping her recording, and the server's jobs with a client for it.
struct Rig {
    app: TestApp,
    provider: FakeProvider,
    jobs: Jobs,
}

impl Rig {
    async fn on(database: TestDatabase) -> Self {
        let app = spawn_app_on(database).await;
        let provider = FakeProvider::start(app.clock.clone(), []).await;
        provider.add_recording(RECORDING_SID, &her_voice(), "audio/mpeg");
        let client = TwilioClient::new(
            provider.base.clone(),
            ACCOUNT_SID,
            PROVIDER_TOKEN.to_owned().into(),
        )
        .expect("a client");
        let jobs = Jobs::with_provider(&app.state, JobSettings::default(), Some(client));
        Self {
            app,
            provider,
            jobs,
        }
    }

    /// The recording's URL as Twilio's callback names it, on the fake provider.
    fn recording_url(&self) -> String {
        format!(
            "{}2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{RECORDING_SID}",
            self.provider.base
        )
    }

    /// She calls the legal line and leaves a voicemail; its callback comes. The follow-up's id.
    async fn she_leaves_a_voicemail(&self, call_sid: &str) -> (i64, i64) {
        let call = self.app.call(call_sid);
        call.chooses("2", "1").await;
        self.recording_callback(call_sid).await;
        let record = call.record().await;
        let follow_up = self
            .app
            .store
            .open_follow_ups()
            .await
            .expect("read")
            .into_iter()
            .find(|f| f.call_id == Some(record.id))
            .expect("a follow-up was opened");
        (follow_up.id, record.id)
    }

    async fn recording_callback(&self, call_sid: &str) {
        let url = self.recording_url();
        let response = self
            .app
            .call(call_sid)
            .post(
                "/webhooks/voice/recording",
                &[
                    ("RecordingSid", RECORDING_SID),
                    ("RecordingUrl", &url),
                    ("RecordingDuration", "14"),
                    ("RecordingStatus", "completed"),
                ],
            )
            .await;
        assert_eq!(response.status(), 204);
    }

    /// One pass of the server's jobs, now.
    async fn jobs_run(&self) -> Pass {
        self.jobs.runner.run_due().await.expect("the jobs ran")
    }

    /// After a day: every retry's wait has passed.
    async fn jobs_run_a_day_later(&self) -> Pass {
        self.app.clock.advance(Duration::days(1));
        self.jobs_run().await
    }
}

/// A staff user of `service`, signed in.
async fn staff_signed_in(app: &TestApp, login: &str, phone: &str, service: Service) -> Browser {
    let staff_id = app.add_staff(login, phone, vec![service], false).await;
    add_user(app, login, Role::Staff, Some(staff_id), PageLanguage::Ru).await;
    let browser = Browser::new(app);
    assert_eq!(browser.sign_in(login, PASSWORD).await.status, 303);
    browser
}

/// `GET path` as `browser`: status, headers, the body's bytes.
async fn fetch(browser: &Browser, path: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let response = browser
        .client
        .get(format!("{}{path}", browser.address()))
        .send()
        .await
        .expect("the server answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (
        status,
        headers,
        response.bytes().await.expect("a body").to_vec(),
    )
}

/// Whether `haystack` holds any 32 bytes of `audio` in a row, from its frames' bodies.
fn holds_any_of(haystack: &[u8], audio: &[u8]) -> bool {
    audio[4..400]
        .chunks(32)
        .any(|piece| haystack.windows(piece.len()).any(|w| w == piece))
}

async fn plays(database: TestDatabase, sqlite: bool) {
    let rig = Rig::on(database).await;
    let app = &rig.app;
    let (id, call_id) = rig.she_leaves_a_voicemail("CA-VOICE").await;
    let voicemail_page = format!("/follow-ups/{id}/voicemail");
    let dinara = coordinator(app).await;

    // Before the job: the page says it is on its way, and there is nothing to play.
    let page = dinara.get(&format!("/follow-ups/{id}")).await;
    assert!(page.body.contains("загружается"), "{}", page.body);
    assert!(!page.body.contains("<audio"));
    assert_eq!(fetch(&dinara, &voicemail_page).await.0, 404);

    // Twilio repeats the callback; the job runs; the callback comes once more.
    rig.recording_callback("CA-VOICE").await;
    let pass = rig.jobs_run().await;
    assert!(
        pass.done >= 1 && pass.retried == 0 && pass.dead == 0,
        "{pass:?}"
    );
    rig.recording_callback("CA-VOICE").await;
    rig.jobs_run().await;
    assert_eq!(rig.provider.media_fetches(), 1, "fetched once");
    assert_eq!(rig.provider.deletes(), vec![RECORDING_SID], "deleted once");
    assert!(
        !rig.provider.has_recording(RECORDING_SID),
        "gone from the provider"
    );
    rig.provider.all_requests_valid().await;
    let metrics = app.state.metrics.render();
    for counted in [
        "hotline_recordings_total{outcome=\"fetched\"} 1",
        "hotline_recordings_total{outcome=\"deleted\"} 1",
    ] {
        assert!(metrics.contains(counted), "{metrics}");
    }

    // Kept sealed: the row opens to her exact voice; the plain bytes are nowhere on disk.
    let kept = app
        .store
        .voicemail_audio(call_id)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(
        (kept.size_bytes, kept.content_type.as_str()),
        (1251, "audio/mpeg")
    );
    assert_eq!(app.data_key.open_bytes(&kept.audio_sealed), Ok(her_voice()));
    assert!(
        holds_any_of(
            &[b"db page".as_slice(), &her_voice()].concat(),
            &her_voice()
        ),
        "the look finds her voice where it lies plain"
    );
    assert!(!holds_any_of(&kept.audio_sealed, &her_voice()));
    if sqlite {
        for file in ["", "-wal"] {
            let bytes = std::fs::read(format!("{}{file}", app.database_path())).unwrap_or_default();
            assert!(
                !holds_any_of(&bytes, &her_voice()),
                "her voice lies plain in the database{file}"
            );
        }
    }

    // The coordinator plays it from the follow-up's page.
    let page = dinara.get(&format!("/follow-ups/{id}")).await;
    assert!(
        page.body.contains(&format!(
            "<audio controls preload=\"none\" src=\"{voicemail_page}\">"
        )),
        "{}",
        page.body
    );
    let (status, headers, body) = fetch(&dinara, &voicemail_page).await;
    assert_eq!(status, 200);
    assert_eq!(body, her_voice(), "the exact bytes");
    assert_eq!(headers["content-type"], "audio/mpeg");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(
        headers["content-disposition"],
        format!("inline; filename=\"voicemail-{id}.mp3\"").as_str()
    );

    // And from the call's entry in the call log, by the call's follow-up.
    let call_log_player = format!("/log/calls/{call_id}/voicemail");
    let log = dinara.get("/log").await;
    assert!(
        log.body.contains(&format!(
            "<audio controls preload=\"none\" src=\"{call_log_player}\">"
        )),
        "{}",
        log.body
    );
    let (status, _, body) = fetch(&dinara, &call_log_player).await;
    assert_eq!((status, body == her_voice()), (200, true));

    // A player asking for a part (as Safari does) gets that part, audited like the whole.
    let part = dinara
        .client
        .get(format!("{}{voicemail_page}", dinara.address()))
        .header("range", "bytes=1000-")
        .send()
        .await
        .expect("the server answers");
    assert_eq!(part.status(), 206);
    assert_eq!(part.headers()["content-range"], "bytes 1000-1250/1251");
    assert_eq!(
        part.bytes().await.expect("a body").to_vec(),
        her_voice()[1000..].to_vec()
    );

    // The lawyer plays it too; the psychologist and a stranger do not.
    let lawyer = staff_signed_in(app, "aigerim", LAWYER, Service::Legal).await;
    let (status, _, body) = fetch(&lawyer, &voicemail_page).await;
    assert_eq!((status, body == her_voice()), (200, true));
    let psychologist = staff_signed_in(app, "dana", PSYCHOLOGIST, Service::Psychological).await;
    for path in [&voicemail_page, &call_log_player] {
        let (status, _, body) = fetch(&psychologist, path).await;
        assert_eq!(status, 404, "{path}");
        assert!(!holds_any_of(&body, &her_voice()));
    }
    let (status, headers, body) = fetch(&Browser::new(app), &voicemail_page).await;
    assert_eq!(status, 303, "signed out: to the sign-in");
    assert!(
        headers["location"]
            .to_str()
            .expect("ascii")
            .contains("/sign-in")
    );
    assert!(!holds_any_of(&body, &her_voice()));

    // Each play is in the audit log: who, which call.
    let plays: Vec<String> = app
        .store
        .audit_chain(0, 1000)
        .await
        .expect("read")
        .into_iter()
        .filter(|c| c.entry.action == "play-voicemail")
        .map(|c| format!("{} {}", c.entry.actor, c.entry.subject))
        .collect();
    assert_eq!(
        plays,
        vec![
            format!("user:dinara call/{call_id}"),
            format!("user:dinara call/{call_id}"),
            format!("user:dinara call/{call_id}"),
            format!("user:aigerim call/{call_id}"),
        ]
    );
}

#[tokio::test]
async fn her_voicemail_is_fetched_once_kept_sealed_deleted_at_the_provider_and_played_in_sight_on_sqlite()
 {
    plays(TestDatabase::sqlite(), true).await;
}

#[tokio::test]
async fn her_voicemail_is_fetched_once_kept_sealed_deleted_at_the_provider_and_played_in_sight_on_postgres()
 {
    plays(TestDatabase::postgres().await, false).await;
}

async fn retries(database: TestDatabase) {
    let rig = Rig::on(database).await;
    let (id, call_id) = rig.she_leaves_a_voicemail("CA-RETRY").await;
    rig.provider.fail_media([500]);
    let pass = rig.jobs_run().await;
    assert_eq!((pass.retried, pass.dead), (1, 0), "{pass:?}");
    assert!(
        rig.provider.deletes().is_empty(),
        "not deleted before it is kept"
    );
    assert!(
        rig.app
            .store
            .voicemail_audio(call_id)
            .await
            .expect("read")
            .is_none()
    );
    rig.jobs_run_a_day_later().await;
    assert_eq!(rig.provider.media_fetches(), 2, "tried again");
    assert!(
        rig.app
            .store
            .voicemail_audio(call_id)
            .await
            .expect("read")
            .is_some()
    );
    assert_eq!(rig.provider.deletes(), vec![RECORDING_SID]);
    let metrics = rig.app.state.metrics.render();
    assert!(
        metrics.contains("hotline_recordings_total{outcome=\"fetch-failed\"} 1"),
        "{metrics}"
    );
    let page = coordinator(&rig.app)
        .await
        .get(&format!("/follow-ups/{id}"))
        .await;
    assert!(page.body.contains("<audio controls"), "{}", page.body);
}

#[tokio::test]
async fn a_fetch_that_fails_is_tried_again_on_sqlite() {
    retries(TestDatabase::sqlite()).await;
}

#[tokio::test]
async fn a_fetch_that_fails_is_tried_again_on_postgres() {
    retries(TestDatabase::postgres().await).await;
}

#[tokio::test]
async fn a_fetch_that_keeps_failing_leaves_the_follow_up_saying_so_and_the_recording_at_the_provider()
 {
    let rig = Rig::on(TestDatabase::sqlite()).await;
    let (id, _) = rig.she_leaves_a_voicemail("CA-GONE").await;
    let attempts = JobSettings::default().retry.max_attempts;
    rig.provider
        .fail_media((0..attempts).map(|_| 503).collect::<Vec<_>>());
    let mut dead = 0;
    for _ in 0..attempts {
        dead += rig.jobs_run_a_day_later().await.dead;
    }
    assert_eq!(dead, 1, "given up after its retries");
    assert_eq!(rig.provider.media_fetches() as i64, attempts);
    assert!(rig.provider.deletes().is_empty());
    assert!(
        rig.provider.has_recording(RECORDING_SID),
        "still at the provider"
    );
    let page = coordinator(&rig.app)
        .await
        .get(&format!("/follow-ups/{id}"))
        .await;
    assert!(page.body.contains("не удалось получить"), "{}", page.body);
    assert!(page.body.contains("Открыто"), "the follow-up is still open");
}

#[tokio::test]
async fn what_is_not_audio_or_too_large_is_never_kept() {
    let rig = Rig::on(TestDatabase::sqlite()).await;
    rig.provider
        .add_recording(RECORDING_SID, b"<html>a login page</html>", "text/html");
    let (_, call_id) = rig.she_leaves_a_voicemail("CA-HTML").await;
    assert_eq!(rig.jobs_run().await.dead, 1, "refused at once");
    assert!(
        rig.app
            .store
            .voicemail_audio(call_id)
            .await
            .expect("read")
            .is_none()
    );
    assert!(
        rig.provider.has_recording(RECORDING_SID),
        "left where it is"
    );

    let rig = Rig::on(TestDatabase::sqlite()).await;
    let huge = vec![0xFF; hotline::telephony::client::LARGEST_RECORDING + 1];
    rig.provider
        .add_recording(RECORDING_SID, &huge, "audio/mpeg");
    let (_, call_id) = rig.she_leaves_a_voicemail("CA-HUGE").await;
    assert_eq!(rig.jobs_run().await.dead, 1, "refused at once");
    assert!(
        rig.app
            .store
            .voicemail_audio(call_id)
            .await
            .expect("read")
            .is_none()
    );
}

/// The coordinator erases her number from the call log, as the page does it.
async fn coordinator_erases(rig: &Rig, call_id: i64) {
    let dinara = coordinator(&rig.app).await;
    let csrf = dinara.get("/").await.csrf();
    let erased = dinara
        .post(
            &format!("/log/calls/{call_id}/erase"),
            &[("csrf", &csrf), ("understood", "on")],
        )
        .await;
    assert!(erased.status < 400, "{}: {}", erased.status, erased.body);
}

async fn erasure(database: TestDatabase) {
    // Erased after the audio came: it is gone, and plays for nobody.
    let rig = Rig::on(database).await;
    let (id, call_id) = rig.she_leaves_a_voicemail("CA-ERASE").await;
    rig.jobs_run().await;
    assert!(
        rig.app
            .store
            .voicemail_audio(call_id)
            .await
            .expect("read")
            .is_some()
    );
    coordinator_erases(&rig, call_id).await;
    assert!(
        rig.app
            .store
            .voicemail_audio(call_id)
            .await
            .expect("read")
            .is_none()
    );
    let dinara = Browser::new(&rig.app);
    assert_eq!(dinara.sign_in("dinara", PASSWORD).await.status, 303);
    assert_eq!(
        fetch(&dinara, &format!("/follow-ups/{id}/voicemail"))
            .await
            .0,
        404
    );
    assert!(
        dinara
            .get(&format!("/follow-ups/{id}"))
            .await
            .body
            .contains("Запись удалена")
    );
}

#[tokio::test]
async fn erasure_takes_her_voice_away_on_sqlite() {
    erasure(TestDatabase::sqlite()).await;
}

#[tokio::test]
async fn erasure_takes_her_voice_away_on_postgres() {
    erasure(TestDatabase::postgres().await).await;
}

#[tokio::test]
async fn erased_before_the_fetch_nothing_is_kept_and_the_provider_still_deletes_it() {
    let rig = Rig::on(TestDatabase::sqlite()).await;
    let (_, call_id) = rig.she_leaves_a_voicemail("CA-EARLY").await;
    coordinator_erases(&rig, call_id).await;
    let pass = rig.jobs_run().await;
    assert_eq!((pass.retried, pass.dead), (0, 0), "{pass:?}");
    assert_eq!(rig.provider.media_fetches(), 0, "nothing fetched");
    assert!(
        rig.app
            .store
            .voicemail_audio(call_id)
            .await
            .expect("read")
            .is_none()
    );
    assert_eq!(rig.provider.deletes(), vec![RECORDING_SID]);
    assert!(!rig.provider.has_recording(RECORDING_SID));
    rig.provider.all_requests_valid().await;
}

async fn retention(database: TestDatabase) {
    let rig = Rig::on(database).await;
    let app = &rig.app;
    let (id, call_id) = rig.she_leaves_a_voicemail("CA-OLD").await;
    rig.jobs_run().await;
    app.call("CA-OLD").ends("9").await;
    app.store
        .answer_follow_up(id, None, None, &audit())
        .await
        .expect("answered");
    assert!(
        app.store
            .voicemail_audio(call_id)
            .await
            .expect("read")
            .is_some()
    );
    app.clock.advance(Duration::days(91));
    let erased = hotline::jobs::retention::erase_expired(
        app.store.as_ref(),
        app.clock.now(),
        Duration::days(90),
    )
    .await
    .expect("ran");
    assert_eq!((erased.calls, erased.voicemails), (1, 1), "{erased:?}");
    assert!(
        app.store
            .voicemail_audio(call_id)
            .await
            .expect("read")
            .is_none()
    );
    let recording = app
        .store
        .voicemail_recording(call_id)
        .await
        .expect("read")
        .expect("the voicemail is still counted");
    assert!(recording.is_erased() && !recording.has_audio);
}

#[tokio::test]
async fn retention_takes_her_voice_away_on_sqlite() {
    retention(TestDatabase::sqlite()).await;
}

#[tokio::test]
async fn retention_takes_her_voice_away_on_postgres() {
    retention(TestDatabase::postgres().await).await;
}
