//! The process's file-descriptor limit (`RLIMIT_NOFILE`), and the connection bound
//! taken from it.
//!
//! Every open connection is a descriptor, and one that is sending a file is two. A
//! server that accepts past its limit gets `EMFILE` from `accept` and from `open`
//! alike: the page stops loading for everyone. So the server keeps its connections
//! below the limit and lets the rest wait in the kernel's accept backlog.

/// Descriptors kept for everything that is not a connection: stdio, the listener,
/// the runtime's epoll and wake-up descriptors, files opened at start.
pub const MARGIN: u64 = 64;
/// Descriptors one connection may hold at once: its socket and a file it is sending.
pub const PER_CONNECTION: u64 = 2;
/// A ceiling whatever the limit: an idle connection costs some 10 KiB of buffers,
/// so this keeps idle connections alone under about 160 MiB.
pub const MAX_CONNECTIONS: usize = 16_384;

/// The soft and hard `RLIMIT_NOFILE`, or `None` if the system will not say.
pub fn get() -> Option<(u64, u64)> {
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit writes one rlimit through a valid pointer.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } == 0;
    ok.then_some((lim.rlim_cur, lim.rlim_max))
}

/// Raises the soft limit to the hard one (as Go and many servers do at start: the
/// soft default of 1024 is a leftover of `select`, which nothing here uses).
/// Returns the soft limit in force afterwards.
pub fn raise() -> Option<u64> {
    let (soft, hard) = get()?;
    if soft >= hard {
        return Some(soft);
    }
    let lim = libc::rlimit { rlim_cur: hard, rlim_max: hard };
    // SAFETY: setrlimit reads one rlimit through a valid pointer.
    let ok = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) } == 0;
    Some(if ok { hard } else { soft })
}

/// How many connections to hold open at once under a soft limit of `nofile`
/// descriptors: at least one, so a tiny limit slows the server rather than stops it.
pub fn connection_budget(nofile: u64) -> usize {
    let budget = nofile.saturating_sub(MARGIN) / PER_CONNECTION;
    usize::try_from(budget).unwrap_or(usize::MAX).clamp(1, MAX_CONNECTIONS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_stays_below_the_limit() {
        assert_eq!(connection_budget(1024), 480);
        assert_eq!(connection_budget(20_000), 9_968);
        assert_eq!(connection_budget(10), 1);
        assert_eq!(connection_budget(u64::MAX), MAX_CONNECTIONS);
        for nofile in [100, 1024, 4096, 20_000] {
            assert!(connection_budget(nofile) as u64 * PER_CONNECTION + MARGIN <= nofile);
        }
    }

    #[test]
    fn the_limit_can_be_read_and_raised() {
        let (soft, hard) = get().expect("Linux reports RLIMIT_NOFILE");
        assert!(soft <= hard);
        let raised = raise().unwrap();
        assert!(raised >= soft && raised <= hard);
    }
}
