//! The signals that stop a run: SIGINT (Ctrl-C) or SIGTERM (what CI systems send before they
//! kill) stop it and start the cleanup; only a second SIGINT abandons the cleanup, because CI
//! often follows SIGINT with SIGTERM and that must not cost the tenant its cleanup.

/// Resolves at the first SIGINT. A signal handler that cannot be installed never resolves, so it
/// cannot end a run early.
pub async fn interrupt() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Resolves at the first SIGINT or SIGTERM.
pub async fn interrupt_or_terminate() {
    tokio::select! {
        () = interrupt() => {}
        () = terminate() => {}
    }
}

#[cfg(unix)]
async fn terminate() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            term.recv().await;
        }
        Err(_) => std::future::pending::<()>().await,
    }
}

#[cfg(not(unix))]
async fn terminate() {
    std::future::pending::<()>().await;
}
