//! The hotline's duty rota and time, as pure functions: who works for which service in which
//! language, their shifts, and who is on duty at an instant. Never touches the network, the
//! database or the clock: every instant is an argument.

pub mod duty;
pub mod model;
pub mod phone;
pub mod staff;

pub use duty::{Shift, on_duty};
pub use phone::{PhoneError, PhoneNumber};
pub use staff::{Gender, Language, Service, StaffMember, UnknownName};
