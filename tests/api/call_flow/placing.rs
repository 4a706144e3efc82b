//! Placing a call: the emulator signs with Twilio's own library and moves the server's clock as
//! the call goes, and the call comes back with what the server kept of it.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use hotline::clock::{Clock, ManualClock};
use hotline::simulate::{CallScript, Observer, Signer, Transcript, run_call_with};
use hotline::store::{CallLeg, CallRecord, FollowUp};

use crate::helpers::{AUTH_TOKEN, CALLER, HOTLINE_NUMBER, PUBLIC_URL, TestApp};

/// Signs the emulator's requests with Twilio's own Python library, never with our code.
pub struct TwilioLibrary;

impl Signer for TwilioLibrary {
    fn sign(&self, url: &str, params: &[(String, String)]) -> String {
        crate::signer::TwilioSigner::shared().sign(AUTH_TOKEN, url, params)
    }
}

/// Moves the server's clock with the call's simulated time, so that its wait limit and the
/// times it records see the call as it passes.
struct ServerClock {
    clock: Arc<ManualClock>,
    start: DateTime<Utc>,
}

impl Observer for ServerClock {
    fn before_requests(&mut self, second: u32) {
        self.clock
            .set(self.start + chrono::Duration::seconds(i64::from(second)));
    }
}

/// A call that was placed, with what the server kept of it.
pub struct Placed {
    pub transcript: Transcript,
    pub record: CallRecord,
    pub legs: Vec<CallLeg>,
    pub follow_ups: Vec<FollowUp>,
    pub voicemail: bool,
}

impl TestApp {
    /// She dials the hotline; Twilio's part is played as `script` says.
    pub async fn she_calls(&self, script: CallScript) -> Placed {
        let script = CallScript {
            from: CALLER.to_owned(),
            to: HOTLINE_NUMBER.to_owned(),
            public_url: Some(PUBLIC_URL.to_owned()),
            ..script
        };
        let mut clock = ServerClock {
            clock: self.clock.clone(),
            start: self.clock.now(),
        };
        let transcript = run_call_with(&self.address, &script, &TwilioLibrary, &mut clock)
            .await
            .unwrap_or_else(|error| panic!("the simulated call stopped: {error}"));
        let record = self
            .store
            .call_by_sid(&transcript.call_sid)
            .await
            .expect("read")
            .unwrap_or_else(|| panic!("the call was recorded:\n{transcript}"));
        let legs = self.store.legs(record.id).await.expect("read");
        let follow_ups = self
            .store
            .open_follow_ups()
            .await
            .expect("read")
            .into_iter()
            .filter(|f| f.call_id == Some(record.id))
            .collect();
        let voicemail = self.store.has_voicemail(record.id).await.expect("read");
        Placed {
            transcript,
            record,
            legs,
            follow_ups,
            voicemail,
        }
    }

    /// The id of the staff member with this phone.
    pub async fn staff_id(&self, phone: &str) -> i64 {
        self.store
            .staff()
            .await
            .expect("read")
            .into_iter()
            .find(|p| p.phone.as_e164() == phone)
            .map(|p| p.id)
            .expect("on the staff")
    }
}

impl Placed {
    /// Each leg's recorded result, by staff id, in attempt order.
    pub fn leg_results(&self) -> Vec<(i64, Option<&str>)> {
        self.legs
            .iter()
            .map(|leg| (leg.staff_id, leg.result.as_deref()))
            .collect()
    }

    pub fn follow_up_kinds(&self) -> Vec<&str> {
        self.follow_ups.iter().map(|f| f.kind.as_str()).collect()
    }
}
