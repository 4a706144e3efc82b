//! The call and message log as a page: calls placed through signed webhooks, listed newest first
//! in local dates and filtered by service, language and outcome, her number masked in groups;
//! a coordinator reveals one number with a form that is audited once, then shown to her session
//! only for a few minutes, a reload not audited again; a staff
//! member sees only her service's calls and can never reveal; texts on their own tab.

use chrono::Duration;
use hotline::store::{PageLanguage, Role};
use hotline_schedules::Service;

use crate::helpers::{CALLER, TestApp, spawn_app};
use crate::pages_browser::{Browser, PASSWORD, add_user, coordinator};
use crate::voice::{LAWYER, PSYCHOLOGIST};

/// How the log shows `CALLER` (+77071234567).
const MASKED: &str = "+7 7•• ••• •• 67";

/// Her number's digits after the country code, in any run of seven: on no page but the reveal.
fn shows_her_number(body: &str) -> bool {
    let digits = &CALLER[2..];
    (0..=digits.len() - 7).any(|i| body.contains(&digits[i..i + 7]))
}

/// Where a call's row is on a log page, if listed.
fn row(body: &str, id: i64) -> Option<usize> {
    body.find(&format!("<li>#{id} ·"))
}

/// A lawyer and a psychologist on duty; she calls for legal help in Russian, then for
/// psychological help in Kazakh, and hangs up each time while it rings: (legal, psychological).
async fn two_calls(app: &TestApp) -> (i64, i64, i64) {
    let lawyer = app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    app.on_duty_now("Дана", PSYCHOLOGIST, Service::Psychological)
        .await;
    let legal = app.call("CA-PAGE-1");
    legal.chooses("2", "1").await;
    legal.ends("2").await;
    app.clock.advance(Duration::minutes(5));
    let psych = app.call("CA-PAGE-2");
    psych.chooses("1", "2").await;
    psych.ends("2").await;
    (legal.record().await.id, psych.record().await.id, lawyer)
}

fn local_today(app: &TestApp) -> chrono::NaiveDate {
    app.clock_now()
        .with_timezone(&app.state.schedule.zone)
        .date_naive()
}

/// Sets the clock to noon today, local time: the log's days are local, and the clock moves on
/// between the calls, which at a few minutes to midnight put them on two days.
fn at_local_noon(app: &TestApp) {
    let noon = local_today(app)
        .and_hms_opt(12, 0, 0)
        .and_then(|noon| noon.and_local_timezone(app.state.schedule.zone).single())
        .expect("noon is once a day");
    app.clock.set(noon.with_timezone(&chrono::Utc));
}

#[tokio::test]
async fn the_log_lists_calls_newest_first_filtered_with_her_number_masked_in_groups() {
    let app = spawn_app().await;
    at_local_noon(&app);
    let (legal, psych) = {
        let (legal, psych, _) = two_calls(&app).await;
        (legal, psych)
    };
    let browser = coordinator(&app).await;
    let log = browser.get("/log").await;
    assert_eq!(log.status, 200, "{}", log.body);
    assert!(log.body.contains("<h1>Журнал</h1>"));
    let (newer, older) = (
        row(&log.body, psych).expect("listed"),
        row(&log.body, legal).expect("listed"),
    );
    assert!(newer < older, "newest first");
    assert_eq!(log.body.matches(MASKED).count(), 2, "{}", log.body);
    assert!(!shows_her_number(&log.body));
    assert!(log.body.contains("положила трубку, не дождавшись"));

    let only = |query: &str| {
        let browser = &browser;
        let path = format!("/log?{query}");
        async move {
            let page = browser.get(&path).await;
            assert_eq!(page.status, 200, "{path}: {}", page.body);
            (
                row(&page.body, legal).is_some(),
                row(&page.body, psych).is_some(),
            )
        }
    };
    assert_eq!(only("service=legal").await, (true, false));
    assert_eq!(only("language=kk").await, (false, true));
    assert_eq!(only("outcome=abandoned&service=").await, (true, true));
    assert_eq!(only("outcome=answered").await, (false, false));
    let today = local_today(&app);
    let tomorrow = today + Duration::days(1);
    assert_eq!(
        only(&format!("from={today}&to={today}")).await,
        (true, true)
    );
    assert_eq!(
        only(&format!("from={tomorrow}&to={tomorrow}")).await,
        (false, false),
        "local dates: today's calls are not tomorrow's"
    );
    // The filter chosen stays chosen.
    let legal_only = browser.get("/log?service=legal").await;
    assert!(
        legal_only
            .body
            .contains("<option value=\"legal\" selected>")
    );

    for (query, message) in [
        ("outcome=lost", "Такого значения фильтра нет."),
        ("service=fax", "Такого значения фильтра нет."),
        (&format!("from={tomorrow}&to={today}"), "Проверьте даты"),
        ("from=2026-13-01", "Проверьте даты"),
        ("from=2020-01-01&to=2026-01-01", "Проверьте даты"),
    ] {
        let refused = browser.get(&format!("/log?{query}")).await;
        assert_eq!(refused.status, 422, "{query}");
        assert!(refused.body.contains(message), "{query}: {}", refused.body);
        assert!(
            row(&refused.body, legal).is_none(),
            "{query}: nothing listed"
        );
    }
}

#[tokio::test]
async fn a_coordinator_reveals_one_number_audited_once_and_shown_to_her_session_for_minutes() {
    let app = spawn_app().await;
    let (legal, _, _) = two_calls(&app).await;
    let browser = coordinator(&app).await;
    let path = format!("/log/calls/{legal}/reveal");
    let log = browser.get("/log").await;
    assert!(log.body.contains(&format!("action=\"{path}\"")), "offered");

    let forged = browser.post(&path, &[]).await;
    assert_eq!(forged.status, 403);
    assert!(!shows_her_number(&forged.body));
    let reveals = |app: &TestApp| {
        let store = app.store.clone();
        async move {
            store
                .audit_log(50)
                .await
                .expect("read")
                .into_iter()
                .filter(|e| e.entry.action == "reveal-number")
                .map(|e| (e.entry.actor, e.entry.subject))
                .collect::<Vec<_>>()
        }
    };
    assert!(
        reveals(&app).await.is_empty(),
        "a forged form reveals nothing"
    );

    let revealed = browser.post(&path, &[("csrf", &log.csrf())]).await;
    assert_eq!(
        (revealed.status, revealed.location.as_deref()),
        (303, Some(path.as_str())),
        "posted, then redirected to a page a reload does not post again"
    );
    assert!(!shows_her_number(&revealed.body));
    assert!(
        !revealed.location.as_deref().is_some_and(shows_her_number),
        "her number is in no URL"
    );
    let shown = browser.get(&path).await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert!(shown.body.contains(&format!("href=\"tel:{CALLER}\"")));
    app.clock.advance(Duration::minutes(2));
    let reloaded = browser.get(&path).await;
    assert!(
        reloaded.body.contains(&format!("href=\"tel:{CALLER}\"")),
        "a reload within minutes shows it again"
    );
    assert_eq!(
        reveals(&app).await,
        vec![("user:dinara".to_owned(), format!("call/{legal}"))],
        "audited once, naming who, however often the page is loaded"
    );
    let again = browser.get("/log").await;
    assert!(
        !shows_her_number(&again.body),
        "the next page masks it again"
    );

    // Another coordinator's session was granted nothing.
    add_user(&app, "saule", Role::Coordinator, None, PageLanguage::Ru).await;
    let other = Browser::new(&app);
    assert_eq!(other.sign_in("saule", PASSWORD).await.status, 303);
    let not_hers = other.get(&path).await;
    assert_eq!(not_hers.status, 200);
    assert!(!shows_her_number(&not_hers.body), "{}", not_hers.body);
    assert!(
        not_hers.body.contains(&format!("action=\"{path}\"")),
        "offered the form"
    );

    // Once the grant runs out the page offers the (audited) form again.
    app.clock.advance(Duration::minutes(4));
    let expired = browser.get(&path).await;
    assert_eq!(expired.status, 200);
    assert!(!shows_her_number(&expired.body), "{}", expired.body);
    assert!(expired.body.contains(&format!("action=\"{path}\"")));
    assert_eq!(reveals(&app).await.len(), 1);

    let missing = browser
        .post("/log/calls/999999/reveal", &[("csrf", &log.csrf())])
        .await;
    assert_eq!(missing.status, 404);
    assert_eq!(reveals(&app).await.len(), 1);
}

#[tokio::test]
async fn a_staff_member_sees_only_her_services_calls_and_can_never_reveal() {
    let app = spawn_app().await;
    let (legal, psych, lawyer) = two_calls(&app).await;
    add_user(&app, "aigerim", Role::Staff, Some(lawyer), PageLanguage::En).await;
    let staff = Browser::new(&app);
    assert_eq!(staff.sign_in("aigerim", PASSWORD).await.status, 303);

    let log = staff.get("/log").await;
    assert_eq!(log.status, 200, "{}", log.body);
    assert!(log.body.contains("<h1>Log</h1>"));
    assert!(row(&log.body, legal).is_some(), "{}", log.body);
    assert!(row(&log.body, psych).is_none(), "not her service");
    assert!(
        row(&staff.get("/log?service=psychological").await.body, psych).is_none(),
        "nor when she asks for it"
    );
    assert!(log.body.contains(MASKED));
    assert!(!log.body.contains("/reveal"), "no reveal offered");
    assert!(log.body.contains("href=\"/log\""));
    assert!(
        !log.body.contains("href=\"/reports\""),
        "reports not offered"
    );

    let tried = staff
        .post(
            &format!("/log/calls/{legal}/reveal"),
            &[("csrf", &log.csrf())],
        )
        .await;
    assert_eq!(tried.status, 403);
    assert!(!shows_her_number(&tried.body));
    let looked = staff.get(&format!("/log/calls/{legal}/reveal")).await;
    assert_eq!(looked.status, 403, "nor the page a reveal leads to");
    assert!(!shows_her_number(&looked.body));
    let audit = app.store.audit_log(50).await.expect("read");
    assert!(!audit.iter().any(|e| e.entry.action == "reveal-number"));
}

#[tokio::test]
async fn texts_have_their_own_tab_filtered_by_channel_and_status() {
    use crate::messages::{HER, code_in};

    let app = spawn_app().await;
    app.on_duty_now("Айгерим", LAWYER, Service::Legal).await;
    app.on_duty_now("Дана", PSYCHOLOGIST, Service::Psychological)
        .await;
    app.text("SM01", HER, "Нужен юрист").await;
    let legal = code_in(&app.last_text_to(LAWYER).await.body);
    app.text("SM02", "whatsapp:+77079998877", "психолог, пожалуйста")
        .await;
    let psych = code_in(&app.last_text_to(PSYCHOLOGIST).await.body);
    app.text("SM03", LAWYER, &format!("DONE {legal}")).await;

    let browser = coordinator(&app).await;
    let codes = |query: &str| {
        let browser = &browser;
        let path = format!("/log?kind=texts{query}");
        let (legal, psych) = (legal.clone(), psych.clone());
        async move {
            let page = browser.get(&path).await;
            assert_eq!(page.status, 200, "{path}: {}", page.body);
            assert!(!page.body.contains("Нужен юрист"), "never her words");
            assert!(!shows_her_number(&page.body) && !page.body.contains("9998877"));
            (
                page.body.contains(&format!("<li>{legal} ·")),
                page.body.contains(&format!("<li class=\"open\">{psych} ·")),
            )
        }
    };
    assert_eq!(codes("").await, (true, true));
    let all = browser.get("/log?kind=texts").await;
    assert!(all.body.contains(MASKED), "{}", all.body);
    assert!(all.body.contains("+7 7•• ••• •• 77"));
    assert!(all.body.contains("aria-current=\"page\">Сообщения"));
    assert_eq!(codes("&channel=whatsapp").await, (false, true));
    assert_eq!(codes("&status=closed").await, (true, false));
    assert_eq!(codes("&service=legal&status=open").await, (false, false));
    let refused = browser.get("/log?kind=texts&channel=fax").await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Такого значения фильтра нет."));
}

#[tokio::test]
async fn a_coordinator_erases_everything_about_her_once_she_ticks_that_it_is_for_good() {
    let app = spawn_app().await;
    let (legal, psych, lawyer) = two_calls(&app).await;
    let browser = coordinator(&app).await;
    let page = browser.get(&format!("/log/calls/{legal}/reveal")).await;
    let path = format!("/log/calls/{legal}/erase");
    assert!(page.body.contains(&format!("action=\"{path}\"")), "offered");
    let csrf = page.csrf();
    let sealed_before = app
        .store
        .call_by_id(psych)
        .await
        .expect("read")
        .expect("kept")
        .caller_sealed;

    assert_eq!(
        browser.post(&path, &[("understood", "on")]).await.status,
        403,
        "forged"
    );
    let unticked = browser.post(&path, &[("csrf", &csrf)]).await;
    assert_eq!(unticked.status, 422);
    assert!(unticked.body.contains("стирание нельзя отменить"));
    add_user(&app, "aigerim", Role::Staff, Some(lawyer), PageLanguage::Ru).await;
    let staff = Browser::new(&app);
    assert_eq!(staff.sign_in("aigerim", PASSWORD).await.status, 303);
    let staff_csrf = staff.get("/").await.csrf();
    let refused = staff
        .post(&path, &[("csrf", &staff_csrf), ("understood", "on")])
        .await;
    assert_eq!(refused.status, 403);
    let untouched = app
        .store
        .call_by_id(psych)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(untouched.caller_sealed, sealed_before, "nothing erased yet");
    assert!(
        !app.store.open_follow_ups().await.expect("read").is_empty(),
        "she is owed calls back"
    );

    let erased = browser
        .post(&path, &[("csrf", &csrf), ("understood", "on")])
        .await;
    assert_eq!(erased.status, 200, "{}", erased.body);
    assert!(erased.body.contains("Звонков: 2"), "{}", erased.body);
    for id in [legal, psych] {
        let call = app
            .store
            .call_by_id(id)
            .await
            .expect("read")
            .expect("the row stays");
        assert!(call.caller_sealed.is_empty(), "call {id} keeps her number");
        assert_ne!(call.caller_hash, app.data_key.hash(CALLER));
    }
    assert!(
        app.store.open_follow_ups().await.expect("read").is_empty(),
        "nobody is reminded to call a number no one has"
    );
    let audit = app.store.audit_log(10).await.expect("read");
    let entry = audit
        .iter()
        .find(|e| e.entry.action == "erase-contact")
        .expect("audited");
    assert!(
        !entry
            .entry
            .after
            .as_deref()
            .unwrap_or_default()
            .contains(&CALLER[2..])
    );
    let again = browser
        .post(&path, &[("csrf", &csrf), ("understood", "on")])
        .await;
    assert_eq!(again.status, 409, "her number is gone already");
}
