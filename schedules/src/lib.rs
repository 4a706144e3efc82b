//! The hotline's duty rota and time, as pure functions: who works for which service in which
//! language, their rotations, shifts and overrides, who is on duty at an instant, where the rota
//! leaves nobody, and when recurrences and shift reminders fall due. Never touches the network,
//! the database or the clock: every instant is an argument.

mod cadence;
mod calendar;
mod conflicts;
mod day_view;
mod gaps;
pub mod model;
mod overrides;
pub mod phone;
mod recurrence;
mod rota;
mod rotation;
mod shift_changes;
mod shift_reminders;
pub mod staff;
mod stretch;
mod swap;
mod timeline;
mod validate;
pub mod wall_clock;
mod window;
mod wire;

pub use cadence::Cadence;
pub use calendar::DutyShift;
pub use day_view::{Bar, BarKind, DayView, day_start, days_view};
pub use overrides::DutySource;
pub use phone::{PhoneError, PhoneNumber};
pub use recurrence::{Recurrence, RecurrenceError};
pub use rota::Rota;
pub use shift_changes::{ShiftChange, shift_changes, stretch_changes};
pub use shift_reminders::{STRETCH_HORIZON, ShiftReminder, reminder_span, shift_reminders};
pub use staff::{Gender, Language, Service, StaffMember, UnknownName};
pub use stretch::{Stretch, StretchKey, stretches};
pub use swap::{SwapError, swap};
pub use validate::{Rule, RuleError, validate_override, validate_rotation, validate_shift};
pub use wall_clock::{HOTLINE_ZONE, instant_of, wall_clock_reached};
