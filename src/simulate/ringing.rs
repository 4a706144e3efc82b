//! The phones of one `<Dial>` over simulated time: each rings, then picks up, declines, fails or
//! rings out as its behaviour says; a phone that picks up runs its whisper, verb by verb, at its
//! own pace. Whatever happens at the same instant on several legs happens together (requests
//! sent at once), so two people pressing 1 together race at the server as they would for real.
//! Ends when a leg is ready to be put through, every leg has ended, or the caller hangs up.

use hotline_routes::twiml::{Gather, Method};
use url::Url;

use super::SimulateError;
use super::callbacks::Leg;
use super::event::{Event, LegStatus};
use super::http::{Document, Request};
use super::script::Behaviour;
use super::session::Session;
use super::transcript::Hearing;
use super::twilio::{DECLINE_AFTER, PICK_UP_AFTER, VOICEMAIL_PICKS_UP_AFTER, resolve};

/// What a person does when a whisper asks for a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Response {
    Press(&'static str),
    Silence,
    HangUp,
}

/// Where one leg is.
#[derive(Debug)]
pub(super) enum Stage {
    /// Ringing: it picks up, declines or rings out as its behaviour says.
    Ringing,
    /// A request for the leg's TwiML, to be made at `at`.
    Fetch { request: Request, at: u32 },
    /// Carrying out the leg's TwiML: the verb at `next` runs at `at`.
    Whisper {
        document: Document,
        next: usize,
        at: u32,
    },
    /// A `<Gather>` has been heard; at `at` the person answers it (or has stayed silent).
    Answer {
        gather: Gather,
        document: Document,
        next: usize,
        response: Response,
        at: u32,
    },
    /// The TwiML ran out: the leg is ready to be put through.
    Accepted,
    /// The leg ended without being put through.
    Ended(LegStatus),
}

/// How the phones of a dial ended up.
pub(super) struct Rung {
    pub stages: Vec<Stage>,
    /// The leg put through.
    pub winner: Option<usize>,
    /// Whether the caller hung up while they rang.
    pub caller_left: bool,
}

/// When a phone picks up after it starts ringing, if it ever does.
fn picks_up_after(behaviour: Behaviour) -> Option<u32> {
    match behaviour {
        Behaviour::Accept | Behaviour::Refuse | Behaviour::HangUpAtWhisper => Some(PICK_UP_AFTER),
        Behaviour::Voicemail => Some(VOICEMAIL_PICKS_UP_AFTER),
        Behaviour::Decline | Behaviour::NoAnswer | Behaviour::Failed => None,
    }
}

/// What the person on a leg does at a whisper's `<Gather>`.
pub(super) fn response(behaviour: Behaviour) -> Response {
    match behaviour {
        Behaviour::Accept => Response::Press("1"),
        Behaviour::Refuse => Response::Press("2"),
        Behaviour::HangUpAtWhisper => Response::HangUp,
        // A voicemail greeting presses nothing; the others never get this far.
        Behaviour::Voicemail | Behaviour::Decline | Behaviour::NoAnswer | Behaviour::Failed => {
            Response::Silence
        }
    }
}

/// When something next happens on a leg, on the call's clock.
fn due(leg: &Leg, stage: &Stage, start: u32, ring_end: u32) -> Option<u32> {
    match stage {
        Stage::Ringing => {
            let acts_after = match leg.behaviour {
                Behaviour::Decline => Some(DECLINE_AFTER),
                behaviour => picks_up_after(behaviour),
            };
            Some(acts_after.map_or(ring_end, |after| (start + after).min(ring_end)))
        }
        Stage::Fetch { at, .. } | Stage::Whisper { at, .. } | Stage::Answer { at, .. } => Some(*at),
        Stage::Accepted | Stage::Ended(_) => None,
    }
}

impl Session<'_> {
    /// Rings `legs` for up to `timeout` seconds and runs the whispers of those that pick up.
    pub(super) async fn ring(
        &mut self,
        document: &Url,
        legs: &mut [Leg],
        timeout: u32,
        answer_on_bridge: bool,
    ) -> Result<Rung, SimulateError> {
        let start = self.clock;
        let ring_end = start + timeout;
        let mut stages: Vec<Stage> = legs.iter().map(|_| Stage::Ringing).collect();
        for (leg, stage) in legs.iter_mut().zip(stages.iter_mut()) {
            self.emit(Event::Ringing {
                number: leg.number.phone_number.clone(),
            });
            self.leg_event(leg, "initiated", "initiated").await?;
            if leg.behaviour == Behaviour::Failed {
                *stage = self.end_leg(leg, LegStatus::Failed).await?;
            } else {
                self.leg_event(leg, "ringing", "ringing").await?;
            }
        }
        let mut accepted: Vec<usize> = Vec::new();
        loop {
            let next = legs
                .iter()
                .zip(&stages)
                .filter_map(|(leg, stage)| due(leg, stage, start, ring_end))
                .min();
            let Some(next) = next else { break };
            let screening = legs
                .iter()
                .zip(&stages)
                .any(|(leg, stage)| leg.answered_at.is_some() && !matches!(stage, Stage::Ended(_)));
            let hearing = if answer_on_bridge || !screening {
                Hearing::Ringing
            } else {
                Hearing::Silence
            };
            if !self.pass_until(next, hearing) {
                for (leg, stage) in legs.iter_mut().zip(stages.iter_mut()) {
                    *stage = self
                        .hang_up_leg(leg, std::mem::replace(stage, Stage::Accepted))
                        .await?;
                }
                return Ok(Rung {
                    stages,
                    winner: None,
                    caller_left: true,
                });
            }
            self.instant(document, legs, &mut stages, &mut accepted, start, ring_end)
                .await?;
            if let Some(&winner) = accepted.first() {
                for &late in &accepted[1..] {
                    self.emit(Event::AcceptedTooLate {
                        number: legs[late].number.phone_number.clone(),
                    });
                    stages[late] = self.end_leg(&mut legs[late], LegStatus::CutOff).await?;
                }
                // Twilio hangs up every other leg once one is put through.
                for (i, (leg, stage)) in legs.iter_mut().zip(stages.iter_mut()).enumerate() {
                    if i != winner {
                        *stage = self
                            .hang_up_leg(leg, std::mem::replace(stage, Stage::Accepted))
                            .await?;
                    }
                }
                stages[winner] = Stage::Accepted;
                return Ok(Rung {
                    stages,
                    winner: Some(winner),
                    caller_left: false,
                });
            }
        }
        Ok(Rung {
            stages,
            winner: None,
            caller_left: false,
        })
    }

    /// Everything due on the legs at this instant, until nothing more is: phones act, requests
    /// made at once, whispers step on.
    async fn instant(
        &mut self,
        document: &Url,
        legs: &mut [Leg],
        stages: &mut [Stage],
        accepted: &mut Vec<usize>,
        start: u32,
        ring_end: u32,
    ) -> Result<(), SimulateError> {
        let now = self.clock;
        loop {
            let mut progressed = false;
            for (i, leg) in legs.iter_mut().enumerate() {
                if matches!(stages[i], Stage::Ringing)
                    && due(leg, &stages[i], start, ring_end) == Some(now)
                {
                    progressed = true;
                    stages[i] = self.phone_acts(document, leg, start, ring_end).await?;
                    if matches!(stages[i], Stage::Accepted) {
                        accepted.push(i);
                    }
                }
            }
            let fetching: Vec<usize> = (0..stages.len())
                .filter(|&i| matches!(&stages[i], Stage::Fetch { at, .. } if *at == now))
                .collect();
            if !fetching.is_empty() {
                progressed = true;
                let requests: Vec<Request> = fetching
                    .iter()
                    .filter_map(
                        |&i| match std::mem::replace(&mut stages[i], Stage::Accepted) {
                            Stage::Fetch { request, .. } => Some(request),
                            _ => None,
                        },
                    )
                    .collect();
                let documents = self.fetch_all(requests).await?;
                for (&i, document) in fetching.iter().zip(documents) {
                    stages[i] = Stage::Whisper {
                        document,
                        next: 0,
                        at: now,
                    };
                }
            }
            for (i, leg) in legs.iter_mut().enumerate() {
                let stepping = matches!(&stages[i], Stage::Whisper { at, .. } | Stage::Answer { at, .. } if *at == now);
                if stepping {
                    progressed = true;
                    let stage = std::mem::replace(&mut stages[i], Stage::Accepted);
                    stages[i] = match self.whisper_step(leg, stage)? {
                        Stage::Ended(status) => self.end_leg(leg, status).await?,
                        Stage::Accepted => {
                            accepted.push(i);
                            Stage::Accepted
                        }
                        other => other,
                    };
                }
            }
            if !progressed {
                return Ok(());
            }
        }
    }

    /// A ringing phone does what it does now: picks up, declines, or rings out.
    async fn phone_acts(
        &mut self,
        document: &Url,
        leg: &mut Leg,
        start: u32,
        ring_end: u32,
    ) -> Result<Stage, SimulateError> {
        let acts_at = match leg.behaviour {
            Behaviour::Decline => Some(start + DECLINE_AFTER),
            behaviour => picks_up_after(behaviour).map(|after| start + after),
        };
        match acts_at {
            Some(at) if at <= ring_end && leg.behaviour == Behaviour::Decline => {
                self.end_leg(leg, LegStatus::Busy).await
            }
            Some(at) if at <= ring_end => {
                leg.answered_at = Some(self.clock);
                self.emit(Event::PickedUp {
                    number: leg.number.phone_number.clone(),
                });
                self.leg_event(leg, "answered", "in-progress").await?;
                Ok(match &leg.number.url {
                    Some(url) => Stage::Fetch {
                        request: Request {
                            url: resolve(document, url)?,
                            method: leg.number.method.unwrap_or(Method::Post),
                            params: self.leg_params(leg, "in-progress"),
                        },
                        at: self.clock,
                    },
                    None => Stage::Accepted,
                })
            }
            _ => self.end_leg(leg, LegStatus::NoAnswer).await,
        }
    }

    /// A leg ends without being put through: recorded, and its `completed` callback sent.
    async fn end_leg(&mut self, leg: &mut Leg, status: LegStatus) -> Result<Stage, SimulateError> {
        self.emit(Event::NotAnswered {
            number: leg.number.phone_number.clone(),
            status,
        });
        self.leg_event(leg, "completed", status.call_status())
            .await?;
        Ok(Stage::Ended(status))
    }

    /// Twilio hangs up a leg that is still going: canceled if it rings, cut off if it picked up.
    async fn hang_up_leg(&mut self, leg: &mut Leg, stage: Stage) -> Result<Stage, SimulateError> {
        match stage {
            Stage::Ended(status) => Ok(Stage::Ended(status)),
            Stage::Ringing => self.end_leg(leg, LegStatus::Canceled).await,
            Stage::Fetch { .. }
            | Stage::Whisper { .. }
            | Stage::Answer { .. }
            | Stage::Accepted => self.end_leg(leg, LegStatus::CutOff).await,
        }
    }
}
