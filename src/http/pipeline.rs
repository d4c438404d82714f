//! The http pipeline every request of a run goes through: the write guard, then the client that
//! sends and records. Nothing outside `http` can reach the client without passing the guard.

use super::guard::{Refused, WriteGuard};
use super::{Exchange, HttpClient, Outgoing, Redactor};

/// The guard and the client, as one way to send.
#[derive(Debug)]
pub struct Pipeline {
    guard: WriteGuard,
    client: HttpClient,
}

impl Pipeline {
    pub fn new(client: HttpClient, guard: WriteGuard) -> Self {
        Pipeline { guard, client }
    }

    pub fn guard(&self) -> &WriteGuard {
        &self.guard
    }

    pub fn redactor(&self) -> &Redactor {
        self.client.redactor()
    }

    /// Sends `out` if the guard permits it; the refusal's text is redacted.
    pub async fn send(&self, out: Outgoing) -> Result<Exchange, Refused> {
        if let Err(mut refused) = self.guard.permit(&out) {
            refused.target = self.client.redactor().text(&refused.target);
            return Err(refused);
        }
        Ok(self.client.send(out).await)
    }
}
