//! The HTTP side of the simulated Twilio: signed form posts to the server, TwiML fetched and
//! parsed, callbacks whose answer only has to be a success, retries sent as Twilio retries them,
//! and requests Twilio would make at the same instant sent at once.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use hotline_routes::twiml::{self, Method, Verb, VoiceResponse};
use url::Url;

use super::SimulateError;
use super::event::Event;
use super::session::Session;
use super::sign::Signer;
use super::twilio::Endpoint;

/// How much of a failing answer's body is shown.
const BODY_SHOWN: usize = 2_000;

/// A request Twilio would make.
#[derive(Debug, Clone)]
pub(super) struct Request {
    /// The URL as Twilio calls it (under the public URL); signed over exactly this.
    pub url: Url,
    pub method: Method,
    pub params: Vec<(String, String)>,
}

/// A TwiML document and the URL it came from, against which its relative URLs resolve.
#[derive(Debug, Clone)]
pub(super) struct Document {
    pub url: Url,
    pub verbs: Vec<Verb>,
}

/// What the server answered: its status and body, and the URL as Twilio called it.
struct Answer {
    url: Url,
    status: u16,
    body: String,
}

/// What signs and carries requests; shared by requests sent at once, so it holds nothing that
/// only one of them may touch.
pub(super) struct Wire<'a> {
    pub client: reqwest::Client,
    pub endpoint: Endpoint,
    pub signer: &'a dyn Signer,
}

/// An error and its causes on one line: reqwest's own message omits "connection refused".
pub(super) fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

fn shortened(body: &str) -> String {
    match body.char_indices().nth(BODY_SHOWN) {
        Some((at, _)) => format!("{}…", &body[..at]),
        None => body.to_owned(),
    }
}

impl Wire<'_> {
    /// Sends one signed request and reads the answer, whatever its status.
    async fn transmit(&self, request: &Request) -> Result<Answer, SimulateError> {
        let mut url = request.url.clone();
        // Twilio puts a GET's parameters in the query string, which the signature then covers.
        let (body, signed_params) = match request.method {
            Method::Get => {
                url.query_pairs_mut().extend_pairs(&request.params);
                (None, Vec::new())
            }
            Method::Post => {
                let body = form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(&request.params)
                    .finish();
                (Some(body), request.params.clone())
            }
        };
        let signature = self.signer.sign(url.as_str(), &signed_params);
        let transport = self.endpoint.transport_url(&url);
        let mut builder = match request.method {
            Method::Get => self.client.get(transport),
            Method::Post => self.client.post(transport),
        }
        .header("X-Twilio-Signature", signature);
        if let Some(body) = body {
            builder = builder
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(body);
        }
        let unreachable = |error: reqwest::Error| SimulateError::Unreachable {
            url: url.to_string(),
            reason: with_causes(&error),
        };
        let response = builder.send().await.map_err(unreachable)?;
        let status = response.status().as_u16();
        let body = response.text().await.map_err(unreachable)?;
        Ok(Answer { url, status, body })
    }
}

/// Runs futures together and returns their outputs in order: requests Twilio makes at the same
/// instant reach the server at the same time, which is what a race between two staff phones is.
async fn all<'f, T>(mut futures: Vec<Pin<Box<dyn Future<Output = T> + Send + 'f>>>) -> Vec<T> {
    let mut outputs: Vec<Option<T>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

/// An answer as a retry is compared: the TwiML read back (so that formatting does not count),
/// or the status of a callback.
fn gist(answer: &Answer) -> String {
    match twiml::parse(&answer.body) {
        Ok(VoiceResponse { verbs, .. }) if !answer.body.trim().is_empty() => {
            format!("{} {verbs:?}", answer.status)
        }
        _ => format!("HTTP {}", answer.status),
    }
}

impl Session<'_> {
    /// Records an answer, and turns a failing one into the error it is.
    fn received(&mut self, request: &Request, answer: &Answer) -> Result<(), SimulateError> {
        self.emit(Event::Request {
            method: request.method.as_str(),
            url: answer.url.to_string(),
            status: answer.status,
            params: request.params.clone(),
        });
        if (200..300).contains(&answer.status) {
            Ok(())
        } else {
            Err(SimulateError::HttpStatus {
                method: request.method.as_str(),
                url: answer.url.to_string(),
                status: answer.status,
                body: shortened(&answer.body),
            })
        }
    }

    /// Sends `requests` at once (each twice when retries are simulated); returns the answers
    /// followed, in order.
    async fn send_all(&mut self, requests: &[Request]) -> Result<Vec<String>, SimulateError> {
        self.before_requests();
        let wire = &self.wire;
        let firsts = all(requests
            .iter()
            .map(|r| Box::pin(wire.transmit(r)) as Pin<Box<dyn Future<Output = _> + Send + '_>>)
            .collect())
        .await;
        let mut bodies = Vec::with_capacity(requests.len());
        for (request, first) in requests.iter().zip(firsts) {
            let first = first?;
            self.received(request, &first)?;
            let followed = if self.script.duplicate_requests {
                // Twilio retries after the first answer; the retry's answer is the one it uses.
                let second = self.wire.transmit(request).await?;
                self.received(request, &second)?;
                let (was, now) = (gist(&first), gist(&second));
                if was != now {
                    self.emit(Event::RetryDiffered {
                        url: second.url.to_string(),
                        first: was,
                        second: now,
                    });
                }
                second
            } else {
                first
            };
            bodies.push(followed.body);
        }
        Ok(bodies)
    }

    fn document(request: Request, body: &str) -> Result<Document, SimulateError> {
        match twiml::parse(body) {
            Ok(response) => Ok(Document {
                url: request.url,
                verbs: response.verbs,
            }),
            Err(error) => Err(SimulateError::BadTwiml {
                url: request.url.to_string(),
                error: Box::new(error),
                body: shortened(body),
            }),
        }
    }

    fn count_step(&mut self, steps: usize) -> Result<(), SimulateError> {
        self.steps += steps;
        if self.steps > self.script.max_steps {
            return Err(SimulateError::TooManySteps(self.script.max_steps));
        }
        Ok(())
    }

    /// Fetches the TwiML that continues the call (or a staff leg).
    pub async fn fetch(&mut self, request: Request) -> Result<Document, SimulateError> {
        Ok(self.fetch_all(vec![request]).await?.remove(0))
    }

    /// Fetches several documents at the same instant, sent at once.
    pub async fn fetch_all(
        &mut self,
        requests: Vec<Request>,
    ) -> Result<Vec<Document>, SimulateError> {
        self.count_step(requests.len())?;
        let bodies = self.send_all(&requests).await?;
        requests
            .into_iter()
            .zip(bodies)
            .map(|(request, body)| Self::document(request, &body))
            .collect()
    }

    /// Makes a callback whose answer Twilio ignores (status and recording callbacks); it must
    /// still succeed, or the server lost what it was told.
    pub async fn notify(&mut self, request: Request) -> Result<(), SimulateError> {
        self.send_all(std::slice::from_ref(&request))
            .await
            .map(drop)
    }
}
