//! SIGINT, SIGTERM and SIGHUP end a verb cleanly: the temporary files of
//! outputs not yet committed are removed, then the process exits with 128 +
//! the signal's number (130, 143, 129), as a shell reports a process the
//! signal killed.

/// Starts the thread that waits for those signals.
pub(crate) fn install() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        let _ = std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    // Held until the process is gone: nothing new is created
                    // and no rename happens half-way.
                    let _pending = crate::atomic_file::remove_temporaries();
                    std::process::exit(128 + signal);
                }
            });
    }
}
