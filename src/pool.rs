//! The one place a CPU job learns how many workers it runs on.
//!
//! The page starts the pool (`startWorkers`, `www/pool.js`) and never sends `workers` to the
//! core; each job asks the pool it runs on, once, and every count in its result
//! comes from that answer.

use crate::error::ArgError;
use crate::progress::MAX_WORKERS;

/// The current rayon pool's size, checked against [`MAX_WORKERS`]: the shared
/// counters have a slot per worker up to that bound and no further.
pub fn checked_size() -> Result<usize, ArgError> {
    let n = rayon::current_num_threads();
    if n > MAX_WORKERS {
        return Err(ArgError::new(
            "workers",
            format!("a pool of {n} is over the limit of {MAX_WORKERS}: the shared counters have {MAX_WORKERS} slots"),
        ));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pool_over_the_limit_is_refused_by_name() {
        let over = rayon::ThreadPoolBuilder::new().num_threads(MAX_WORKERS + 1).build().unwrap();
        let e = over.install(checked_size).unwrap_err();
        assert_eq!(e.arg, "workers");
        assert!(e.why.contains("over the limit of 128"), "{e}");
        let ok = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        assert_eq!(ok.install(checked_size), Ok(3));
    }
}
