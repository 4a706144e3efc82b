//! Which contacts a user may see. The rule: a coordinator sees every contact; a staff user sees
//! the calls and follow-ups of the services their staff record serves, and nothing else — not a
//! contact whose caller never chose a service, not anything when their account is linked to no
//! staff member. What they may not see is "not found", never "forbidden". Callers' numbers are
//! shown masked on every page, to everyone.

use axum::response::Response;
use hotline_schedules::Service;

use super::layout;
use super::session::SignedIn;
use crate::log::{self, Number};
use crate::web::AppState;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sight {
    Everything,
    Services(Vec<Service>),
}

impl Sight {
    pub async fn of(state: &AppState, user: &SignedIn) -> Result<Self, Response> {
        if user.is_coordinator() {
            return Ok(Sight::Everything);
        }
        let Some(staff_id) = user.user.staff_id else {
            return Ok(Sight::Services(Vec::new()));
        };
        let member = state
            .store
            .staff_member(staff_id)
            .await
            .map_err(layout::server_error)?;
        Ok(Sight::Services(
            member
                .filter(|member| member.active)
                .map(|member| member.services)
                .unwrap_or_default(),
        ))
    }

    /// Whether a contact for `service` (none when she chose none) is in sight.
    pub fn sees(&self, service: Option<Service>) -> bool {
        match (self, service) {
            (Sight::Everything, _) => true,
            (Sight::Services(services), Some(service)) => services.contains(&service),
            (Sight::Services(_), None) => false,
        }
    }
}

/// A caller's sealed number as every page shows it: masked.
pub fn masked_caller(state: &AppState, sealed: &[u8]) -> String {
    match log::number(&state.secrets.data_key, sealed) {
        Number::Known(number) => number.masked_grouped(),
        Number::Erased => "—".to_owned(),
        Number::Unreadable | Number::Withheld => "•••".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_see_their_own_services_and_never_a_contact_without_one() {
        let legal = Sight::Services(vec![Service::Legal]);
        assert!(legal.sees(Some(Service::Legal)));
        assert!(!legal.sees(Some(Service::Psychological)));
        assert!(!legal.sees(None));
        assert!(Sight::Everything.sees(None));
    }
}
