//! Any text a staff member or a caller may send: the staff command reader, the conversation code
//! reader and the caller's keyword readers never panic, answer the same twice, and read a command
//! word or a code in any case, as they promise.
#![no_main]

use hotline_routes::messages::command::{LONGEST_PAUSE, StaffText};
use hotline_routes::messages::service::service_named;
use hotline_routes::messages::{Code, asks_to_be_called, opt_keyword, read_staff_text};
use hotline_schedules::Service;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &str| {
    let read = read_staff_text(body);
    assert_eq!(read, read_staff_text(body), "read twice, read alike");
    if let StaffText::Pause(length) = &read {
        assert!(
            length.num_seconds() > 0 && *length <= LONGEST_PAUSE,
            "{body:?}"
        );
    }
    // A command word reads the same in capitals or small letters (and so does its code or
    // length); what is not a command may change, since a reply keeps her letters as typed.
    if matches!(
        read,
        StaffText::Done(_)
            | StaffText::Call(_)
            | StaffText::Pause(_)
            | StaffText::Resume
            | StaffText::Help
    ) {
        assert_eq!(
            read_staff_text(&body.to_lowercase()),
            read,
            "{body:?} in small letters"
        );
        assert_eq!(
            read_staff_text(&body.to_uppercase()),
            read,
            "{body:?} in capitals"
        );
    }

    let code = Code::parse(body);
    assert_eq!(Code::parse(&body.to_ascii_lowercase()), code, "{body:?}");
    assert_eq!(Code::parse(&body.to_ascii_uppercase()), code, "{body:?}");
    if let Some(code) = &code {
        assert_eq!(Code::parse(code.as_str()).as_ref(), Some(code));
    }
    // A code drawn from any seed is one that reads back as itself.
    let seed = body
        .bytes()
        .fold(0u64, |seed, b| seed.rotate_left(7) ^ u64::from(b));
    let drawn = Code::from_seed(seed);
    assert_eq!(Code::parse(drawn.as_str()).as_ref(), Some(&drawn));

    let keyword = opt_keyword(body);
    assert_eq!(opt_keyword(&body.to_ascii_lowercase()), keyword, "{body:?}");
    assert_eq!(opt_keyword(&body.to_ascii_uppercase()), keyword, "{body:?}");

    let _ = asks_to_be_called(body);
    let services = [Service::Legal, Service::Psychological, Service::Mens];
    for count in 0..=services.len() {
        if let Some(named) = service_named(body, &services[..count]) {
            assert!(
                services[..count].contains(&named),
                "{body:?} named {named:?}"
            );
        }
    }
});
