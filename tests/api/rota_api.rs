//! The JSON API for staff and the rota's rules, as a coordinator's script uses it.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{TestApp, spawn_app};

impl TestApp {
    /// A bearer token, made as `hotline token create` makes one (once per app, however often
    /// it is asked for).
    pub async fn api_token(&self) -> String {
        let token = format!("hl_test_{}", self.address.len());
        let hash = hex::encode(Sha256::digest(token.as_bytes()));
        let known = self.store.api_token_name(&hash).await.expect("read");
        if known.is_none() {
            self.store
                .create_api_token("coordinator-script", &hash, chrono::Utc::now())
                .await
                .expect("token kept");
        }
        token
    }

    pub async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let text = response.text().await.expect("a body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

fn aigerim() -> Value {
    json!({ "name": "Айгерим", "phone": "+7 701 555 01 01", "services": ["legal"], "languages": ["kk", "ru"], "gender": "female" })
}

#[tokio::test]
async fn without_a_valid_token_nothing_is_shown() {
    let app = spawn_app().await;
    let (status, body) = app
        .api(Method::GET, "/api/v1/staff", "hl_wrong", None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        body["error"]
            .as_str()
            .expect("a message")
            .contains("hotline token create")
    );
    let response = app.get("/api/v1/staff").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn staff_are_added_changed_and_deactivated_with_every_change_audited() {
    let app = spawn_app().await;
    let token = app.api_token().await;
    let (status, created) = app
        .api(Method::POST, "/api/v1/staff", &token, Some(aigerim()))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(
        created["phone"], "+77015550101",
        "the phone is kept in E.164"
    );
    let id = created["id"].as_i64().expect("an id");

    let (status, _) = app
        .api(Method::POST, "/api/v1/staff", &token, Some(aigerim()))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "one phone, one person");

    let mut changed = aigerim();
    changed["services"] = json!(["legal", "psychological"]);
    let (status, updated) = app
        .api(
            Method::PUT,
            &format!("/api/v1/staff/{id}"),
            &token,
            Some(changed),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(updated["services"], json!(["legal", "psychological"]));

    let (status, _) = app
        .api(Method::DELETE, &format!("/api/v1/staff/{id}"), &token, None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, shown) = app
        .api(Method::GET, &format!("/api/v1/staff/{id}"), &token, None)
        .await;
    assert_eq!(shown["active"], false, "deactivated, never deleted");

    let log = app.store.audit_log(10).await.expect("read");
    let actions: Vec<_> = log
        .iter()
        .rev()
        .map(|e| (e.entry.action.as_str(), e.entry.actor.as_str()))
        .collect();
    assert_eq!(
        actions,
        vec![
            ("create", "token:coordinator-script"),
            ("update", "token:coordinator-script"),
            ("deactivate", "token:coordinator-script")
        ]
    );
    assert!(
        log[0]
            .entry
            .before
            .as_deref()
            .expect("before")
            .contains("\"active\":true")
    );
}

#[tokio::test]
async fn invalid_input_gets_a_422_naming_the_field() {
    let app = spawn_app().await;
    let token = app.api_token().await;
    let cases = [
        (
            json!({ "name": "Дана", "phone": "87015550102", "services": [], "languages": [] }),
            "phone",
        ),
        (
            json!({ "name": 5, "phone": "+77015550102", "services": [], "languages": [] }),
            "name",
        ),
        (
            json!({ "name": "Дана", "phone": "+77015550102", "services": ["medical"], "languages": [] }),
            "services[0]",
        ),
        (
            json!({ "name": "Дана", "phone": "+77015550102", "services": [], "languages": [], "age": 30 }),
            "age",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = app
            .api(Method::POST, "/api/v1/staff", &token, Some(body.clone()))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(
            answer["field"].as_str().unwrap_or_default(),
            field,
            "{answer}"
        );
    }
    let shift = json!({ "staff_id": 99, "service": "legal", "starts_at": "2030-01-01T09:00:00Z", "ends_at": "2030-01-01T08:00:00Z" });
    let (status, answer) = app
        .api(Method::POST, "/api/v1/shifts", &token, Some(shift))
        .await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("ends_at"))
    );
    let rotation = json!({ "name": "Юристы", "service": "legal", "members": [], "start": "2030-01-01T09:00:00",
        "handoff": { "every": 1, "unit": "days" } });
    let (status, answer) = app
        .api(Method::POST, "/api/v1/rotations", &token, Some(rotation))
        .await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("members"))
    );
}

#[tokio::test]
async fn an_edited_shift_gets_a_new_version_and_the_old_one_stays_readable() {
    let app = spawn_app().await;
    let token = app.api_token().await;
    let (_, person) = app
        .api(Method::POST, "/api/v1/staff", &token, Some(aigerim()))
        .await;
    let staff_id = person["id"].as_i64().expect("an id");
    let shift = json!({ "staff_id": staff_id, "service": "legal", "starts_at": "2030-01-01T04:00:00Z", "ends_at": "2030-01-01T13:00:00Z" });
    let (status, created) = app
        .api(Method::POST, "/api/v1/shifts", &token, Some(shift.clone()))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().expect("an id");
    assert_eq!(created["valid_until"], Value::Null);

    let mut moved = shift;
    moved["ends_at"] = json!("2030-01-01T15:00:00Z");
    let (status, newer) = app
        .api(
            Method::PUT,
            &format!("/api/v1/shifts/{id}"),
            &token,
            Some(moved.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{newer}");
    let new_id = newer["id"].as_i64().expect("an id");
    assert_ne!(new_id, id);
    let (_, old) = app
        .api(Method::GET, &format!("/api/v1/shifts/{id}"), &token, None)
        .await;
    assert_eq!(old["replaced_by"], json!(new_id));
    assert!(old["valid_until"].is_string());
    let (status, _) = app
        .api(
            Method::PUT,
            &format!("/api/v1/shifts/{id}"),
            &token,
            Some(moved),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "an old version cannot be edited again"
    );

    let (_, listed) = app.api(Method::GET, "/api/v1/shifts", &token, None).await;
    assert_eq!(
        listed
            .as_array()
            .expect("a list")
            .iter()
            .map(|r| r["id"].as_i64())
            .collect::<Vec<_>>(),
        vec![Some(new_id)]
    );
    let (status, _) = app
        .api(
            Method::DELETE,
            &format!("/api/v1/shifts/{new_id}"),
            &token,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, listed) = app.api(Method::GET, "/api/v1/shifts", &token, None).await;
    assert_eq!(listed, json!([]));
    let (status, _) = app
        .api(
            Method::GET,
            &format!("/api/v1/rotations/{new_id}"),
            &token,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a shift is not a rotation");
}

#[tokio::test]
async fn a_rule_naming_someone_unknown_or_deactivated_is_refused() {
    let app = spawn_app().await;
    let token = app.api_token().await;
    let (_, person) = app
        .api(Method::POST, "/api/v1/staff", &token, Some(aigerim()))
        .await;
    let id = person["id"].as_i64().expect("an id");
    app.api(Method::DELETE, &format!("/api/v1/staff/{id}"), &token, None)
        .await;
    let remove = json!({ "kind": "remove", "staff_id": id, "starts_at": "2030-01-01T04:00:00Z", "ends_at": "2030-01-01T13:00:00Z" });
    let (status, answer) = app
        .api(Method::POST, "/api/v1/overrides", &token, Some(remove))
        .await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("staff_id"))
    );
    let replace = json!({ "kind": "replace", "absent": id, "present": 999, "starts_at": "2030-01-01T04:00:00Z", "ends_at": "2030-01-01T13:00:00Z" });
    let (status, answer) = app
        .api(Method::POST, "/api/v1/overrides", &token, Some(replace))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
}
