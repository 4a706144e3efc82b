//! Follow-ups that belong to a person, on the pages: a lawyer on duty takes one that is nobody's
//! in her service; from then on it is "not found" to the other lawyer — its page, its list, its
//! forms — until the coordinator gives it to her instead, and then it is the first lawyer's turn
//! to find nothing. Every change is in the audit log with whose it was before and after.

use hotline::store::{PageLanguage, Role};
use hotline_schedules::Service;

use crate::helpers::spawn_app;
use crate::pages_browser::{Browser, PASSWORD, Page, add_user, coordinator, follow_up};

async fn signed_in(app: &crate::helpers::TestApp, login: &str, staff_id: i64) -> Browser {
    add_user(app, login, Role::Staff, Some(staff_id), PageLanguage::Ru).await;
    let browser = Browser::new(app);
    assert_eq!(browser.sign_in(login, PASSWORD).await.status, 303);
    browser
}

/// What a staff member who may not see follow-up `id` is shown for each of its pages and forms:
/// the same "not found" as for one that does not exist.
async fn all_not_found(browser: &Browser, id: i64, as_staff: i64) {
    let csrf = browser.get("/").await.csrf();
    let missing = browser.get("/follow-ups/9999").await;
    let page = browser.get(&format!("/follow-ups/{id}")).await;
    assert_eq!(page.status, 404, "its page");
    assert_eq!(
        page.body
            .replace(&format!("/follow-ups/{id}\""), "/follow-ups/9999\""),
        missing.body,
        "indistinguishable from one that does not exist"
    );
    let answered = browser
        .post(
            &format!("/follow-ups/{id}/answered"),
            &[("csrf", &csrf), ("note", "перезвонила")],
        )
        .await;
    assert_eq!(answered.status, 404, "its answered form");
    let staff_id = as_staff.to_string();
    let taken = browser
        .post(
            &format!("/follow-ups/{id}/assign"),
            &[("csrf", &csrf), ("staff_id", &staff_id)],
        )
        .await;
    assert_eq!(taken.status, 404, "its assign form");
    for show in ["", "?show=all", "?show=unassigned", "?show=mine"] {
        let list = browser.get(&format!("/follow-ups{show}")).await;
        assert_eq!(list.status, 200);
        assert!(
            !list.body.contains(&format!("/follow-ups/{id}\"")),
            "not in her list{show}"
        );
    }
    assert!(
        !browser
            .get("/")
            .await
            .body
            .contains(&format!("/follow-ups/{id}\"")),
        "nor on Now"
    );
}

fn lists(page: &Page, id: i64) -> bool {
    page.body.contains(&format!("/follow-ups/{id}\""))
}

#[tokio::test]
async fn a_follow_up_taken_by_one_lawyer_is_not_found_by_the_other_until_the_coordinator_moves_it()
{
    let app = spawn_app().await;
    let aigerim = app
        .add_staff("Айгерим", "+77015550001", vec![Service::Legal], false)
        .await;
    let saule = app
        .add_staff("Сауле", "+77015550002", vec![Service::Legal], false)
        .await;
    app.add_staff(
        "Мадина",
        "+77015550003",
        vec![Service::Psychological],
        false,
    )
    .await;
    let first = signed_in(&app, "aigerim", aigerim).await;
    let second = signed_in(&app, "saule", saule).await;
    let id = follow_up(&app, "CA01", Some(Service::Legal), 20).await;

    // Nobody's yet: both lawyers see it, in "unassigned", and either may take it.
    for browser in [&first, &second] {
        assert!(lists(&browser.get("/follow-ups?show=unassigned").await, id));
        assert!(!lists(&browser.get("/follow-ups?show=mine").await, id));
        let page = browser.get(&format!("/follow-ups/{id}")).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("никому не поручено"), "{}", page.body);
        assert!(page.body.contains("Взять себе"));
        assert!(
            !page.body.contains("<select name=\"staff_id\">"),
            "no select: a staff member takes, she does not assign"
        );
    }

    // Aigerim takes it.
    let csrf = first.get(&format!("/follow-ups/{id}")).await.csrf();
    let hers = aigerim.to_string();
    let taken = first
        .post(
            &format!("/follow-ups/{id}/assign"),
            &[("csrf", &csrf), ("staff_id", &hers)],
        )
        .await;
    assert_eq!(taken.status, 303);
    assert_eq!(
        taken.location.as_deref(),
        Some(&*format!("/follow-ups/{id}"))
    );
    let now = app.store.follow_up(id).await.expect("read").expect("there");
    assert_eq!(now.holder(), Some(aigerim));
    let page = first.get(&format!("/follow-ups/{id}")).await;
    assert!(
        page.body
            .contains("Кому поручено</dt><dd class=\"assignee\">Айгерим")
    );
    assert!(!page.body.contains("Взять себе"), "hers already");
    assert!(lists(&first.get("/follow-ups?show=mine").await, id));
    assert!(!lists(&first.get("/follow-ups?show=unassigned").await, id));

    // She cannot give it to Saule: that is the coordinator's to do.
    let to_saule = saule.to_string();
    let given = first
        .post(
            &format!("/follow-ups/{id}/assign"),
            &[("csrf", &csrf), ("staff_id", &to_saule)],
        )
        .await;
    assert_eq!(given.status, 403);

    // To Saule it is as if it did not exist: page, forms, lists.
    all_not_found(&second, id, saule).await;
    let still = app.store.follow_up(id).await.expect("read").expect("there");
    assert_eq!(
        (still.status.as_str(), still.holder()),
        ("open", Some(aigerim)),
        "nothing changed"
    );

    // The coordinator sees whose it is and gives it to Saule; a psychologist is not offered,
    // and is refused if asked for.
    let coordinator = coordinator(&app).await;
    let list = coordinator.get("/follow-ups").await;
    assert!(
        list.body.contains("Кому поручено: Айгерим"),
        "{}",
        list.body
    );
    let page = coordinator.get(&format!("/follow-ups/{id}")).await;
    assert!(page.body.contains("Сауле</option>"));
    assert!(!page.body.contains("Мадина</option>"), "not a lawyer");
    assert!(!page.body.contains("Взять себе"));
    let csrf = page.csrf();
    let psychologist = app
        .store
        .staff()
        .await
        .expect("read")
        .into_iter()
        .find(|p| p.name == "Мадина")
        .expect("there")
        .id
        .to_string();
    let refused = coordinator
        .post(
            &format!("/follow-ups/{id}/assign"),
            &[("csrf", &csrf), ("staff_id", &psychologist)],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("не работает с этой услугой"));
    let moved = coordinator
        .post(
            &format!("/follow-ups/{id}/assign"),
            &[("csrf", &csrf), ("staff_id", &to_saule)],
        )
        .await;
    assert_eq!(moved.status, 303);
    let now = app.store.follow_up(id).await.expect("read").expect("there");
    assert_eq!(now.holder(), Some(saule));

    // Now Aigerim finds nothing, and Saule finds it hers.
    all_not_found(&first, id, aigerim).await;
    assert!(lists(&second.get("/follow-ups?show=mine").await, id));
    assert_eq!(second.get(&format!("/follow-ups/{id}")).await.status, 200);

    // Each change is audited: who, and whose it was before and after.
    let log = app.store.audit_log(50).await.expect("read");
    let changes: Vec<(String, String, String)> = log
        .iter()
        .rev()
        .filter(|a| a.entry.action == "assign-follow-up")
        .map(|a| {
            (
                a.entry.actor.clone(),
                a.entry.before.clone().unwrap_or_default(),
                a.entry.after.clone().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        vec![
            (
                "user:aigerim".to_owned(),
                r#"{"assigned_to":null}"#.to_owned(),
                format!(r#"{{"assigned_to":{aigerim}}}"#)
            ),
            (
                "user:dinara".to_owned(),
                format!(r#"{{"assigned_to":{aigerim}}}"#),
                format!(r#"{{"assigned_to":{saule}}}"#)
            ),
        ]
    );
    assert!(
        log.iter()
            .all(|a| a.entry.subject == format!("follow-up/{id}")
                || a.entry.action != "assign-follow-up")
    );

    // The coordinator takes it back from Saule: nobody's, it is in both lawyers' sight again.
    let cleared = coordinator
        .post(
            &format!("/follow-ups/{id}/assign"),
            &[("csrf", &csrf), ("staff_id", "")],
        )
        .await;
    assert_eq!(cleared.status, 303);
    assert_eq!(first.get(&format!("/follow-ups/{id}")).await.status, 200);
    assert!(lists(&first.get("/follow-ups?show=unassigned").await, id));

    // Saule answers it; answered, it can no longer be taken.
    let csrf = second.get(&format!("/follow-ups/{id}")).await.csrf();
    let answered = second
        .post(
            &format!("/follow-ups/{id}/answered"),
            &[("csrf", &csrf), ("note", "перезвонила")],
        )
        .await;
    assert_eq!(answered.status, 303);
    let page = first.get(&format!("/follow-ups/{id}")).await;
    assert!(!page.body.contains("Взять себе"));
}

#[tokio::test]
async fn the_queue_shows_each_follow_ups_assignee_age_and_reminders_oldest_first() {
    let app = spawn_app().await;
    let aigerim = app
        .add_staff("Айгерим", "+77015550001", vec![Service::Legal], false)
        .await;
    let older = follow_up(&app, "CA01", Some(Service::Legal), 125).await;
    let newer = follow_up(&app, "CA02", Some(Service::Legal), 5).await;
    let before = app
        .store
        .follow_up(older)
        .await
        .expect("read")
        .expect("there");
    let audit = hotline::store::AuditEntry {
        at: app.clock_now(),
        actor: "test".into(),
        action: "assign-follow-up".into(),
        subject: format!("follow-up/{older}"),
        before: None,
        after: None,
    };
    assert!(
        app.store
            .assign_follow_up(before.id, None, Some(aigerim), &audit)
            .await
            .expect("assigned")
    );
    assert!(app.store.count_reminder(older, 2).await.expect("counted"));
    // Its first reminder, as the reminder job leaves it in the outbox.
    app.store
        .enqueue_outbox(&hotline::store::NewOutboxMessage {
            idempotency_key: format!("follow-up:{older}:reminder:1:{aigerim}"),
            channel: "sms".into(),
            to_sealed: app.data_key.seal("+77015550001"),
            body_sealed: app.data_key.seal("Напоминание 1"),
            created_at: app.clock_now(),
            contact_hash: None,
        })
        .await
        .expect("queued");
    let coordinator = coordinator(&app).await;
    let list = coordinator.get("/follow-ups").await;
    let body = &list.body;
    let older_at = body
        .find(&format!("/follow-ups/{older}\""))
        .expect("listed");
    let newer_at = body
        .find(&format!("/follow-ups/{newer}\""))
        .expect("listed");
    assert!(older_at < newer_at, "oldest first");
    assert!(
        body.contains(
            "2 ч 5 мин · Напоминаний отправлено: 2 · <span class=\"assignee\">Кому поручено: Айгерим"
        ),
        "{body}"
    );
    assert!(
        body.contains("Напоминаний отправлено: 0 · <span class=\"assignee\">никому не поручено")
    );
    assert!(
        !body.contains("?show=mine"),
        "a coordinator with no staff record has no \"mine\""
    );
    let unassigned = coordinator.get("/follow-ups?show=unassigned").await;
    assert!(lists(&unassigned, newer) && !lists(&unassigned, older));
    let detail = coordinator.get(&format!("/follow-ups/{older}")).await;
    assert!(
        detail
            .body
            .contains("Напоминаний отправлено</dt><dd>2<ul class=\"reminders\"><li>1 · "),
        "{}",
        detail.body
    );
    assert!(detail.body.contains(" · Айгерим</li></ul></dd>"), "to whom");
}
