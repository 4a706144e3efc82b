//! The store conformance suite: every test runs against SQLite and against the real PostgreSQL
//! server, each on a fresh database, so both backends keep the same promises. This file holds the
//! `conformance!` macro and its list of tests, the helpers the subjects share, and the tests of
//! the store as a whole (opening it, reopening it, asking it its backend); each subject's tests
//! are in its own module.

mod accounts;
mod api_tokens;
mod audit;
mod blocklist;
mod calls;
mod consents;
#[path = "../support/databases.rs"]
mod databases;
mod erasure;
mod follow_ups;
mod group_commit;
mod jobs;
mod lines;
mod messages;
mod notes;
mod outbox;
mod planned;
mod recordings;
mod reports;
mod reseal;
mod retention;
mod ringing;
mod rota;
mod settings;
mod staff;
mod texts_in;
mod users;
mod watches;

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use hotline::store::*;
use hotline_schedules::{Gender, Language, PhoneNumber, Service};

use accounts::*;
use api_tokens::*;
use audit::*;
use blocklist::*;
use calls::*;
use consents::*;
use databases::TestDatabase;
use erasure::*;
use follow_ups::*;
use group_commit::*;
use jobs::*;
use lines::*;
use messages::*;
use outbox::*;
use planned::*;
use recordings::*;
use reports::*;
use reseal::*;
use retention::*;
use ringing::*;
use rota::*;
use staff::*;
use texts_in::*;
use users::*;
use watches::*;

/// Runs each named test once per backend: `sqlite::name` and `postgres::name`.
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $name() {
                let database = super::TestDatabase::sqlite();
                super::$name(database.open().await).await;
            })*
        }
        mod postgres {
            $(#[tokio::test] async fn $name() {
                let database = super::TestDatabase::postgres().await;
                super::$name(database.open().await).await;
            })*
        }
    };
}

conformance!(
    // staff
    staff_are_added_once_per_phone_and_updated_in_place,
    creating_staff_with_a_taken_phone_is_refused_and_updates_check_it_too,
    a_calendar_secret_finds_its_staff_member,
    // rota
    rules_are_found_by_their_interval_and_the_time_they_are_in_force,
    an_edit_closes_a_rule_and_opens_its_replacement_in_one_step,
    an_audit_entry_with_no_change_is_kept_newest_first,
    the_audit_log_pages_back_from_an_entry_newest_first,
    // calls
    a_call_is_recorded_once_per_call_sid,
    a_call_keeps_her_choices_and_its_first_outcome,
    her_choice_is_kept_with_the_step_it_led_to_or_not_at_all,
    late_status_callbacks_do_not_undo_later_ones,
    // ringing
    a_call_leg_keeps_its_first_result,
    of_two_people_accepting_at_once_exactly_one_wins,
    people_ringing_or_talking_are_busy_until_the_call_ends,
    // follow_ups
    a_follow_up_is_opened_once_per_call,
    a_voicemail_is_kept_once_and_counts_the_call,
    // recordings
    a_voicemails_audio_is_kept_once_and_never_for_an_erased_recording,
    a_voicemails_audio_is_sealed_again_by_rekey,
    a_follow_up_is_assigned_taken_back_and_listed_for_its_staff_member,
    // lines
    lines_are_kept_by_number_and_audited,
    // blocklist
    a_blocked_number_is_found_by_hash_until_its_block_ends,
    // outbox
    outbox_messages_are_queued_once_per_key,
    an_outbox_message_is_claimed_by_one_worker_at_a_time,
    a_lapsed_claim_is_claimed_again_in_doubt_and_fences_the_old_worker,
    a_sent_message_keeps_its_first_provider_id,
    a_failed_attempt_waits_its_turn_and_keeps_its_doubt,
    a_rate_limited_claim_is_handed_back_uncounted,
    a_message_given_up_is_shown_to_the_coordinator,
    status_callbacks_move_a_message_on_and_never_back,
    a_status_callback_finds_a_message_whose_answer_was_lost,
    a_row_to_her_keeps_her_hash_and_ends_withheld_for_good,
    // api_tokens
    api_tokens_are_found_by_hash,
    // messages
    a_text_is_recorded_once_per_message_sid,
    a_code_is_not_given_again_while_open_or_for_thirty_days_after_it_closes,
    she_has_one_open_conversation_per_line_and_channel,
    closing_a_conversation_answers_its_follow_up_once,
    a_staff_members_latest_conversation_is_the_open_one_they_had_last,
    a_text_is_taken_in_and_relayed_all_at_once_or_not_at_all,
    a_later_text_is_recorded_and_relayed_in_one_write,
    the_latest_word_on_consent_decides,
    // consents
    her_latest_consent_comes_back_with_its_terms,
    terms_set_by_staff_are_kept_with_their_audit_entry,
    // jobs
    jobs_are_scheduled_once_per_key,
    a_claim_takes_the_soonest_due_first_and_no_more_than_asked,
    of_two_runners_racing_for_due_jobs_each_job_goes_to_one,
    a_lapsed_job_is_claimed_again_and_fences_the_old_runner,
    an_extended_lease_holds_a_job_past_its_first,
    a_job_retried_waits_and_one_given_up_is_listed,
    done_jobs_are_forgotten_after_a_while_and_the_dead_are_kept,
    // reports
    conversations_are_counted_by_service_within_their_span,
    the_message_log_lists_conversations_opened_in_a_span_oldest_first,
    the_months_calls_come_with_her_choices_and_whether_she_reached_us_before,
    a_conversations_first_reply_is_the_first_staff_text_queued_to_her,
    follow_ups_opened_in_the_span_come_with_when_they_were_answered,
    // planned
    a_plan_is_kept_with_its_job_and_ends_once,
    // watches
    a_watch_keeps_only_what_it_saw_last,
    // retention
    contacts_closed_before_the_cutoff_lose_her_number_words_and_notes,
    a_voicemail_left_long_ago_loses_its_recording_and_keeps_its_count,
    more_closed_calls_than_one_batch_are_all_erased_around_the_open_ones,
    // users and sessions
    users_are_added_once_per_login_and_keep_their_role_staff_and_language,
    a_session_is_found_by_its_token_hash_until_it_expires_or_ends,
    failed_sign_ins_are_counted_per_login_and_per_address_and_old_ones_forgotten,
    a_sign_in_link_adds_one_user_once_and_never_after_it_expires,
    // erasing one person
    erasing_her_leaves_no_trace_of_her_and_every_count,
    // resealing with a new key
    a_sealed_value_is_replaced_only_while_it_is_what_was_read,
    // the audit chain
    audited_changes_form_a_chain_that_verifies,
    concurrent_audited_changes_chain_one_by_one,
    // accounts
    a_user_added_with_a_link_sets_her_own_password_once,
    a_change_of_standing_never_leaves_no_active_coordinator,
    a_reset_link_replaces_older_ones_and_a_password_change_ends_every_session,
    a_reveal_grant_is_for_one_session_and_call_until_it_runs_out,
    // group commit
    calls_recorded_at_once_all_land,
    repeats_in_one_batch_return_the_first_record,
    a_bad_write_in_a_batch_fails_only_itself,
    a_bad_relay_in_a_batch_leaves_nothing_of_itself,
    first_texts_opened_together_each_keep_their_whole_opening,
    // the store as a whole, below
    the_store_answers_and_names_its_backend,
);

fn at(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, hour, minute, 0)
        .single()
        .expect("a real time")
}

/// Runs SQL on the database directly, as someone editing it by hand would: no store, no
/// server, nothing of ours in between.
pub async fn by_hand(database: &TestDatabase, statements: &[&str]) {
    use sqlx::Connection;
    for statement in statements {
        let statement = sqlx::AssertSqlSafe(*statement);
        if database.url.starts_with("sqlite:") {
            let mut connection = sqlx::SqliteConnection::connect(&database.url)
                .await
                .expect("opens");
            sqlx::query(statement)
                .execute(&mut connection)
                .await
                .expect("runs");
        } else {
            let mut connection = sqlx::PgConnection::connect(&database.url)
                .await
                .expect("connects");
            sqlx::query(statement)
                .execute(&mut connection)
                .await
                .expect("runs");
        }
    }
}

/// Her text `i`, relayed to `staff`, in the conversation `conversation_id`.
pub fn relay(conversation_id: i64, i: usize, staff: &[i64]) -> Relay {
    Relay {
        conversation_id,
        at: at(10, 5),
        texts: staff
            .iter()
            .map(|&staff_id| {
                let text = NewOutboxMessage {
                    idempotency_key: format!("relay:SM{i:02}:{staff_id}"),
                    channel: "sms".to_owned(),
                    to_sealed: vec![1],
                    body_sealed: vec![2],
                    created_at: at(10, 5),
                    contact_hash: None,
                };
                (staff_id, text)
            })
            .collect(),
    }
}

pub fn lawyer(phone: &str) -> NewStaff {
    NewStaff {
        name: "Айгерим Омарова".to_owned(),
        phone: PhoneNumber::parse(phone).expect("valid"),
        services: vec![Service::Legal],
        languages: vec![Language::Kk, Language::Ru],
        gender: Some(Gender::Female),
        is_coordinator: false,
        active: true,
    }
}

pub fn audit() -> AuditEntry {
    AuditEntry {
        at: at(9, 0),
        actor: "test".into(),
        action: "setup".into(),
        subject: String::new(),
        before: None,
        after: None,
    }
}

pub fn call(sid: &str) -> NewCall {
    NewCall {
        call_sid: sid.to_owned(),
        line_number: "+77010000000".to_owned(),
        caller_sealed: vec![1, 2, 3],
        caller_hash: "hash-of-caller".to_owned(),
        status: "ringing".to_owned(),
        started_at: at(10, 0),
    }
}

async fn the_store_answers_and_names_its_backend(store: Arc<dyn Store>) {
    store.ping().await.expect("the database answers");
    assert!(matches!(store.backend(), "sqlite" | "postgres"));
}

#[tokio::test]
async fn the_same_database_opened_twice_keeps_its_records() {
    for database in [TestDatabase::sqlite(), TestDatabase::postgres().await] {
        database
            .open()
            .await
            .record_call(&call("CA01"))
            .await
            .expect("recorded");
        let reopened = database.open().await;
        assert!(
            reopened.call_by_sid("CA01").await.expect("read").is_some(),
            "{}",
            reopened.backend()
        );
    }
}

#[tokio::test]
async fn an_unknown_database_url_is_refused_clearly() {
    let error = hotline::store::open("mysql://root@localhost/x")
        .await
        .err()
        .expect("refused");
    assert!(
        error
            .to_string()
            .contains("use sqlite://FILE or postgres://"),
        "{error}"
    );
}

/// SQLite's committer writes on a connection of its own to the same file: a database in memory
/// would be another one there, so it is refused, not silently split in two.
#[tokio::test]
async fn a_sqlite_database_in_memory_is_refused_clearly() {
    for url in ["sqlite::memory:", "sqlite://hotline.db?mode=memory"] {
        let error = hotline::store::open(url).await.err().expect("refused");
        assert!(
            error
                .to_string()
                .contains("use sqlite://FILE or postgres://"),
            "{url}: {error}"
        );
    }
}

/// PostgreSQL's pool opens its connections as the store opens, before any request needs one:
/// a connection opened under load is a new server process that a woman's text waits for.
#[tokio::test]
async fn a_postgres_store_opens_its_connections_before_it_is_asked() {
    use sqlx::Connection;
    let database = TestDatabase::postgres().await;
    let _store = database.open().await;
    let name = url::Url::parse(&database.url)
        .expect("a database URL")
        .path()[1..]
        .to_owned();
    let mut admin = sqlx::PgConnection::connect(&databases::postgres_admin_url())
        .await
        .expect("connects");
    let mut open = 0;
    for _ in 0..100 {
        open = sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = $1",
        )
        .bind(&name)
        .fetch_one(&mut admin)
        .await
        .expect("read");
        if open >= 8 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(open >= 8, "{open} connections open after ten seconds");
}
