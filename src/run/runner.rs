//! The one orchestrator: discover, plan, execute, clean up, and tell observers as it goes. The CLI,
//! the libtest harness and library users all run checks through it.

use super::{
    Capabilities, CheckResult, Discovered, DiscoveryError, EventSink, Planned, RunConfig, RunEvent,
    RunExchanges, RunReport, Session, Summary, Tool, discover, new_run_id, now_rfc3339, plan,
    report::REPORT_VERSION,
};
use crate::check::{SchemaError, SchemaStore};
use crate::http::Exchange;
use crate::http::RecordLimit;
use crate::load::Catalog;
use crate::outcome::LeftBehind;
use crate::suite::Check;
use futures::StreamExt;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Instant;

mod breaker;
mod concurrency;

use breaker::Breaker;
pub use concurrency::Concurrency;

/// Why a run could not start or finish.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    #[error(transparent)]
    Schemas(#[from] SchemaError),
    #[error("discovery failed: {0}")]
    Discovery(#[from] DiscoveryError),
    #[error("no check matches the --only/--skip patterns given")]
    NothingSelected,
}

/// How long requests in flight may take to answer after an interrupt (CI systems send SIGKILL
/// some seconds after SIGTERM).
pub const INTERRUPT_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// Runs a catalog of checks against one target, as one run (one run id, one cleanup ledger).
#[derive(Debug)]
pub struct Runner {
    checks: Vec<Check>,
    session: Arc<Session>,
    /// Bounds the bodies the run keeps for its reports.
    record: RecordLimit,
    /// Stops sending checks once the server stopped answering.
    breaker: Breaker,
    /// A check in its unscoped form reads the whole collection, so it runs alone (write lock):
    /// the run's own creates and deletes must not move its pages or totals.
    exclusive: tokio::sync::RwLock<()>,
    /// How many checks run at once (fixed by `jobs`, or adaptive).
    concurrency: Concurrency,
}

impl Runner {
    /// Compiles the catalog's schemas and builds the HTTP client; nothing is sent yet.
    pub fn new(config: RunConfig, catalog: Catalog) -> Result<Runner, RunError> {
        let schemas = Arc::new(SchemaStore::compile(&catalog.schemas)?);
        Runner::with_schemas(config, catalog.checks, schemas)
    }

    /// A runner over already-compiled schemas (runs that share one catalog, like the fault model).
    pub fn with_schemas(
        config: RunConfig,
        checks: Vec<Check>,
        schemas: Arc<SchemaStore>,
    ) -> Result<Runner, RunError> {
        let client = config
            .client()
            .map_err(|e| RunError::Client(e.to_string()))?;
        let (config_adaptive, config_jobs) = (config.adaptive_jobs, config.jobs);
        let session = Session::new(&config, client, schemas, &new_run_id());
        Ok(Runner {
            checks,
            session: Arc::new(session),
            record: RecordLimit::default(),
            breaker: Breaker::default(),
            exclusive: tokio::sync::RwLock::new(()),
            concurrency: if config_adaptive {
                Concurrency::adaptive()
            } else {
                Concurrency::fixed(config_jobs)
            },
        })
    }

    /// Writes the run's ledger file at `path` as the run goes (see [`super::journal`]); call
    /// before running.
    pub fn write_ledger(&mut self, path: &std::path::Path) -> std::io::Result<()> {
        let session = Arc::get_mut(&mut self.session)
            .ok_or_else(|| std::io::Error::other("the run has already started"))?;
        let target = session.pipeline.redactor().text(&session.config.base_url);
        let namespace = session.pipeline.guard().namespace().to_string();
        session.journal = Some(super::journal::Journal::create(
            path,
            &session.run_id,
            &target,
            &namespace,
        )?);
        Ok(())
    }

    pub fn run_id(&self) -> &str {
        &self.session.run_id
    }

    pub fn config(&self) -> &RunConfig {
        &self.session.config
    }

    /// Reads /ServiceProviderConfig, /ResourceTypes and /Schemas; the session adapts create and
    /// replace bodies to what the last two declare.
    pub async fn discover(&self) -> Result<Discovered, RunError> {
        let prefix = format!("scimcheck-{}", self.session.run_id);
        let discovered = discover(&self.session.pipeline, &self.session.config, &prefix).await?;
        self.session.learn_fixtures(discovered.fixtures.clone());
        self.session
            .learn_scoping(discovered.scoping_refused.clone());
        Ok(discovered)
    }

    /// The selected checks in id order, each with its skip reason if a capability is missing.
    pub fn plan(&self, capabilities: &Capabilities) -> Result<Vec<Planned>, RunError> {
        let config = &self.session.config;
        let mut planned = plan(&self.checks, &config.only, &config.skip, capabilities);
        if planned.is_empty() {
            return Err(RunError::NothingSelected);
        }
        // A profile's dropped areas do not apply to the target: that is the reason to give, even
        // where a capability is missing too.
        if let Some(profile) = &config.profile {
            for p in planned.iter_mut() {
                let area = p.check.id.as_str().split('.').next().unwrap_or_default();
                if let Some(why) = profile.dropped(area) {
                    p.skip_reason = Some(format!("not in the {} contract: {why}", profile.name));
                }
            }
        }
        // Under --read-only, a check whose steps write runs its read-only form if it has one.
        if config.read_only {
            planned.iter_mut().for_each(|p| p.read_only(capabilities));
        }
        let fixtures = self.session.fixtures();
        let scoping = self.session.scoping_refused();
        for p in planned.iter_mut().filter(|p| p.skip_reason.is_none()) {
            let refused = scoping.filter(|_| p.check.scoped).map(|answer| {
                format!(
                    "it keeps other users out of its verdict with the filter `userName sw`, which the server refuses: {answer}"
                )
            });
            p.block_reason = match refused {
                Some(why) if !p.unscope(&why) => Some(why),
                _ => fixtures.and_then(|f| f.undeclared_used(&p.check.mentions)),
            };
            // In the form it would run in: an unscoped form may read where the scoped one writes.
            if let Some(write) = p.check.first_write().filter(|_| config.read_only) {
                p.skip_reason = Some(format!("--read-only: it writes ({write})"));
                p.block_reason = None;
            }
        }
        Ok(planned)
    }

    /// Runs one planned check; `seq` must differ between the checks of this runner.
    pub async fn run_one(&self, planned: &Planned, seq: usize) -> CheckResult {
        match (&planned.skip_reason, &planned.block_reason) {
            (Some(reason), _) => CheckResult::skipped(&planned.check, reason.clone()),
            (None, Some(reason)) => CheckResult::blocked_before(&planned.check, reason.clone()),
            (None, None) => {
                let mut result = if planned.runs_alone() {
                    let _alone = self.exclusive.write().await;
                    self.session.run(&planned.check, seq).await
                } else {
                    let _shared = self.exclusive.read().await;
                    self.session.run(&planned.check, seq).await
                };
                result.unscoped = planned.unscoped.clone();
                result
            }
        }
    }

    /// Discovers, plans, executes and cleans up, with no interrupt. After
    /// `breaker::BREAKER_THRESHOLD` (10) checks in a row (in the order they finish) got no response to any
    /// request, the checks not yet started are recorded as errored, not sent.
    pub async fn run(&self, events: &dyn EventSink) -> Result<RunReport, RunError> {
        self.run_until(events, std::future::pending(), std::future::pending::<()>)
            .await
    }

    /// [`Runner::run`], stopping when `stop` resolves: the checks in flight are abandoned,
    /// everything the run created is deleted (unless the future `abandon()` makes, started only
    /// then, resolves first), and the report holds the checks that finished, marked `interrupted`.
    pub async fn run_until<A: Future<Output = ()>>(
        &self,
        events: &dyn EventSink,
        stop: impl Future<Output = ()>,
        abandon: impl FnOnce() -> A,
    ) -> Result<RunReport, RunError> {
        let started_at = now_rfc3339();
        let started = Instant::now();
        let mut discovered = self.discover().await?;
        for ex in &mut discovered.exchanges {
            self.record.admit(ex);
        }
        let planned = self.plan(&discovered.capabilities)?;
        events.event(&RunEvent::Started {
            run_id: self.run_id(),
            planned: planned.len(),
        });
        let finished: Mutex<Vec<(usize, CheckResult)>> = Mutex::new(Vec::new());
        let mut execute = Box::pin(self.execute(planned, events, &finished));
        let mut sweep = RunExchanges::default();
        let mut left_behind = Vec::new();
        let interrupted = tokio::select! {
            () = &mut execute => false,
            () = stop => true,
        };
        if interrupted {
            events.event(&RunEvent::Interrupted);
            self.session.stop();
            let mut abandon = std::pin::pin!(abandon());
            // Requests in flight get a bounded grace to answer, so their creates are recorded
            // and their checks clean up; checks send no further step.
            let abandoned = tokio::select! {
                _ = tokio::time::timeout(INTERRUPT_GRACE, &mut execute) => false,
                () = &mut abandon => true,
            };
            let abandoned = abandoned
                || tokio::select! {
                    (mut exchanges, left) = self.sweep() => {
                        for ex in &mut exchanges {
                            self.record.admit(ex);
                        }
                        sweep.exchanges = exchanges;
                        left_behind = left;
                        false
                    }
                    () = &mut abandon => true,
                };
            if abandoned {
                left_behind = self.session.abandoned();
            }
            events.event(&RunEvent::SweepFinished {
                left_behind: &left_behind,
                abandoned,
            });
        }
        drop(execute); // checks still running after the grace are abandoned
        let mut indexed = finished.into_inner().unwrap_or_else(|e| e.into_inner());
        indexed.sort_by_key(|(i, _)| *i);
        let results: Vec<CheckResult> = indexed.into_iter().map(|(_, r)| r).collect();
        let mut all_left = self.session.left_behind();
        all_left.extend(left_behind);
        let config = &self.session.config;
        Ok(RunReport {
            schema_version: REPORT_VERSION,
            tool: Tool {
                name: "scimcheck",
                version: env!("CARGO_PKG_VERSION"),
            },
            run_id: self.run_id().to_string(),
            target: format!(
                "{}{}{}",
                self.session.pipeline.redactor().text(&config.base_url),
                config
                    .base_query
                    .as_ref()
                    .map(|q| format!("?{}", self.session.pipeline.redactor().text(q)))
                    .unwrap_or_default(),
                config.target_label
            ),
            profile: config.profile.as_ref().map(|p| p.name.clone()),
            started_at,
            duration_ms: started.elapsed().as_millis() as u64,
            interrupted,
            capabilities: discovered.capabilities,
            summary: Summary::of(&results),
            discovery: RunExchanges {
                exchanges: discovered.exchanges,
            },
            authentication: RunExchanges {
                exchanges: self.session.pipeline.token_requests(),
            },
            cleanup: sweep,
            left_behind: all_left,
            fixtures: super::report::FixturesReport {
                required: self
                    .session
                    .fixtures()
                    .map(super::fixtures::Fixtures::required)
                    .unwrap_or_default(),
                adapted: self.session.adapted(),
            },
            jobs: super::report::Jobs {
                adaptive: config.adaptive_jobs,
                most: self.concurrency.peak(),
            },
            results,
        })
    }

    /// After an interrupt: deletes what the run owns; if a create was still unanswered when the
    /// grace ended, it may have succeeded unseen, so what carries the run's marker is looked up,
    /// proved and deleted too.
    async fn sweep(&self) -> (Vec<Exchange>, Vec<LeftBehind>) {
        let (mut exchanges, mut left) = self.session.sweep().await;
        if self.session.creates_in_flight() == 0 {
            return (exchanges, left);
        }
        let marker = format!("scimcheck-{}-", self.run_id());
        let unseen = |reason: String| LeftBehind {
            resource: None,
            marker: marker.clone(),
            reason,
        };
        match super::leftovers::Cleanup::new(self.session.config.clone(), self.run_id()) {
            Ok(mut cleanup) => match cleanup.find(None).await {
                Ok(found) => {
                    for (l, why) in cleanup.delete(&found).await {
                        left.push(LeftBehind {
                            resource: Some(l.resource),
                            marker: marker.clone(),
                            reason: why,
                        });
                    }
                    exchanges.append(&mut cleanup.exchanges);
                }
                Err(e) => {
                    exchanges.append(&mut cleanup.exchanges);
                    left.push(unseen(format!(
                        "a create was in flight at the interrupt; looking for it failed: {e}"
                    )));
                }
            },
            Err(e) => left.push(unseen(format!(
                "a create was in flight at the interrupt; looking for it failed: {e}"
            ))),
        }
        (exchanges, left)
    }

    async fn execute(
        &self,
        planned: Vec<Planned>,
        events: &dyn EventSink,
        finished: &Mutex<Vec<(usize, CheckResult)>>,
    ) {
        let concurrency = &self.concurrency;
        // Checks that must run alone go last, so they wait once for the others to drain.
        let mut order: Vec<(usize, Planned)> = planned.into_iter().enumerate().collect();
        order.sort_by_key(|(_, p)| p.runs_alone() && p.skip_reason.is_none());
        futures::stream::iter(order)
            .map(|(seq, p)| async move {
                // Decided when the check would start: the ones in flight when the breaker
                // opens just finish.
                let slot = concurrency.slot().await;
                if self.session.stopping() {
                    return; // interrupted before it started: not run, not reported
                }
                let mut result = match self.breaker.refusal() {
                    Some(why) if p.skip_reason.is_none() => CheckResult::not_run(&p.check, why),
                    _ => self.run_one(&p, seq).await,
                };
                drop(slot);
                concurrency.observe(&result);
                self.breaker.observe(&result);
                for ex in &mut result.exchanges {
                    self.record.admit(ex);
                }
                events.event(&RunEvent::CheckFinished(&result));
                finished
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((seq, result));
            })
            .buffer_unordered(concurrency.most())
            .collect::<()>()
            .await;
    }
}
