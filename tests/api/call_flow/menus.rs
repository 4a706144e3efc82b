//! The menus: silence makes each menu heard twice before Russian and legal help apply, and a key
//! that is not a choice is said so and the menu is heard again.

use hotline::simulate::CallScript;
use hotline::store::CallOutcome;
use hotline_schedules::Service;

use super::{LAWYER, lawyer_and_backup, she_never_waited_in_silence};
use crate::helpers::spawn_app;

#[tokio::test]
async fn she_presses_nothing_so_each_menu_is_heard_twice_then_russian_and_legal_help_apply() {
    let app = spawn_app().await;
    lawyer_and_backup(&app).await;
    let call = app.she_calls(CallScript::default()).await;
    call.story()
        .hears("казахский, нажмите 1")
        .presses_nothing()
        .hears("казахский, нажмите 1")
        .presses_nothing()
        .hears("Юридическая помощь: нажмите 1")
        .presses_nothing()
        .hears("Юридическая помощь: нажмите 1")
        .presses_nothing()
        .rings(LAWYER)
        .presses_at_whisper(LAWYER, "1")
        .connects_her_to(LAWYER);
    she_never_waited_in_silence(&call);
    assert_eq!(
        (call.record.language, call.record.service),
        (Some(hotline_schedules::Language::Ru), Some(Service::Legal))
    );
    assert_eq!(call.record.outcome, Some(CallOutcome::Answered));
}

#[tokio::test]
async fn a_key_that_is_not_a_choice_is_said_so_and_the_menu_is_heard_again() {
    let app = spawn_app().await;
    lawyer_and_backup(&app).await;
    let call = app
        .she_calls(CallScript::default().digits(["7", "2", "1"]))
        .await;
    call.story()
        .presses("7")
        .hears("Такого варианта нет")
        .hears("русский, нажмите 2")
        .presses("2")
        .presses("1")
        .connects_her_to(LAWYER);
    she_never_waited_in_silence(&call);
}
