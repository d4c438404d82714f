//! The signals that stop a run: SIGINT (Ctrl-C) or SIGTERM (what CI systems send before they
//! kill) stop it and start the cleanup; only a second SIGINT abandons the cleanup, because CI
//! often follows SIGINT with SIGTERM and that must not cost the tenant its cleanup. The handlers
//! are installed when the command starts, so a signal during start-up or discovery is not lost.

use tokio::sync::Mutex;

/// Installed signal handlers; a handler that cannot be installed never fires.
pub struct Signals {
    #[cfg(unix)]
    interrupt: Mutex<Option<tokio::signal::unix::Signal>>,
    #[cfg(unix)]
    terminate: Mutex<Option<tokio::signal::unix::Signal>>,
}

impl Signals {
    /// Installs the handlers now (signals received from here on are kept until awaited).
    #[cfg(unix)]
    pub fn install() -> Signals {
        use tokio::signal::unix::{SignalKind, signal};
        Signals {
            interrupt: Mutex::new(signal(SignalKind::interrupt()).ok()),
            terminate: Mutex::new(signal(SignalKind::terminate()).ok()),
        }
    }

    #[cfg(not(unix))]
    pub fn install() -> Signals {
        Signals {}
    }

    /// Resolves at the next SIGINT.
    pub async fn interrupt(&self) {
        #[cfg(unix)]
        if let Some(s) = self.interrupt.lock().await.as_mut() {
            s.recv().await;
            return;
        }
        #[cfg(not(unix))]
        if tokio::signal::ctrl_c().await.is_ok() {
            return;
        }
        std::future::pending::<()>().await;
    }

    /// Resolves at the next SIGTERM.
    async fn terminate(&self) {
        #[cfg(unix)]
        if let Some(s) = self.terminate.lock().await.as_mut() {
            s.recv().await;
            return;
        }
        std::future::pending::<()>().await;
    }

    /// Resolves at the first SIGINT or SIGTERM.
    pub async fn interrupt_or_terminate(&self) {
        tokio::select! {
            () = self.interrupt() => {}
            () = self.terminate() => {}
        }
    }
}
