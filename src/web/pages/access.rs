//! Which contacts a user may see. The rule: a coordinator sees every contact; a staff user sees
//! the calls and follow-ups of the services their staff record serves, and nothing else — not a
//! contact whose caller never chose a service, not anything when their account is linked to no
//! staff member. What they may not see is "not found", never "forbidden". Callers' numbers are
//! shown masked on every page, to everyone.
//!
//! A follow-up can belong to one staff member (`FollowUpSight`): then it is hers alone among
//! the staff — another staff member's follow-up is "not found", even in her own service.

use axum::response::Response;
use hotline_schedules::Service;

use super::layout;
use super::session::SignedIn;
use crate::log::{self, Number};
use crate::store::FollowUp;
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

/// Which follow-ups a user may see. A coordinator: every one. An active staff member: those
/// that are hers (assigned to her, in any service), and those of her services that are nobody's
/// (never assigned, or their assignee has left) so that whoever is on duty can take one; never
/// one that is another staff member's. A staff user with no active staff record: none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowUpSight {
    Everything,
    Staff {
        staff_id: i64,
        services: Vec<Service>,
    },
    Nothing,
}

impl FollowUpSight {
    pub async fn of(state: &AppState, user: &SignedIn) -> Result<Self, Response> {
        if user.is_coordinator() {
            return Ok(FollowUpSight::Everything);
        }
        let Some(staff_id) = user.user.staff_id else {
            return Ok(FollowUpSight::Nothing);
        };
        let member = state
            .store
            .staff_member(staff_id)
            .await
            .map_err(layout::server_error)?;
        Ok(match member.filter(|member| member.active) {
            Some(member) => FollowUpSight::Staff {
                staff_id,
                services: member.services,
            },
            None => FollowUpSight::Nothing,
        })
    }

    /// Whether a follow-up for `service` whose holder (`FollowUp::holder`: its active assignee)
    /// is `holder` is in sight.
    pub fn sees(&self, service: Option<Service>, holder: Option<i64>) -> bool {
        match self {
            FollowUpSight::Everything => true,
            FollowUpSight::Staff { staff_id, services } => match holder {
                Some(holder) => holder == *staff_id,
                None => service.is_some_and(|service| services.contains(&service)),
            },
            FollowUpSight::Nothing => false,
        }
    }

    pub fn sees_follow_up(&self, follow_up: &FollowUp) -> bool {
        self.sees(follow_up.service, follow_up.holder())
    }

    /// The staff member a staff user takes a follow-up as: herself, when it is open and nobody's
    /// and in her sight. A coordinator assigns rather than takes.
    pub fn may_take(&self, follow_up: &FollowUp) -> Option<i64> {
        match self {
            FollowUpSight::Staff { staff_id, .. }
                if follow_up.status == "open"
                    && follow_up.holder().is_none()
                    && self.sees_follow_up(follow_up) =>
            {
                Some(*staff_id)
            }
            _ => None,
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

    #[test]
    fn a_follow_up_that_is_another_staff_members_is_out_of_sight_even_in_her_service() {
        let aigerim = FollowUpSight::Staff {
            staff_id: 1,
            services: vec![Service::Legal],
        };
        let legal = Some(Service::Legal);
        assert!(
            aigerim.sees(legal, None),
            "nobody's, in her service: hers to take"
        );
        assert!(aigerim.sees(legal, Some(1)), "hers");
        assert!(
            !aigerim.sees(legal, Some(2)),
            "another's, in her own service"
        );
        assert!(
            aigerim.sees(Some(Service::Psychological), Some(1)),
            "given to her, whatever the service"
        );
        assert!(!aigerim.sees(Some(Service::Psychological), None));
        assert!(!aigerim.sees(None, None), "no service chosen, nobody's");
        assert!(aigerim.sees(None, Some(1)));
        for (service, holder) in [(legal, Some(2)), (None, None), (legal, None)] {
            assert!(FollowUpSight::Everything.sees(service, holder));
            assert!(
                !FollowUpSight::Nothing.sees(service, holder),
                "no active staff record: nothing"
            );
        }
    }
}
