//! Measuring until the numbers stop changing. A browser runs fresh wasm on a baseline
//! compiler first and swaps in optimised code later, so the first measurements of a
//! hot loop undercount its speed; both the engine's warm-up and the event loop's
//! calibration repeat a probe until two results in a row agree.

/// Runs `probe` (one measurement each: a rate or a duration) until two in a row agree
/// within `tolerance` of the earlier one, `max_ms` of `clock` have passed, or `stop()`
/// says so. Returns every measurement in order: at least one.
pub fn until_settled<E>(
    clock: &dyn Fn() -> f64,
    tolerance: f64,
    max_ms: f64,
    stop: &dyn Fn() -> bool,
    mut probe: impl FnMut() -> Result<f64, E>,
) -> Result<Vec<f64>, E> {
    let t0 = clock();
    let mut seen: Vec<f64> = Vec::new();
    loop {
        let value = probe()?;
        let settled = seen.last().is_some_and(|&last| (value - last).abs() <= tolerance * last);
        seen.push(value);
        if settled || clock() - t0 >= max_ms || stop() {
            return Ok(seen);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn stops_when_two_in_a_row_agree() {
        let values = [1.0, 3.0, 5.0, 5.2, 9.0];
        let i = Cell::new(0);
        let seen = until_settled::<()>(&|| 0.0, 0.1, 1e9, &|| false, || {
            i.set(i.get() + 1);
            Ok(values[i.get() - 1])
        })
        .unwrap();
        assert_eq!(seen, [1.0, 3.0, 5.0, 5.2]);
    }

    #[test]
    fn stops_at_the_time_limit_or_a_stop() {
        let t = Cell::new(0.0);
        let clock = || {
            t.set(t.get() + 10.0);
            t.get()
        };
        let mut n = 0.0;
        let seen = until_settled::<()>(&clock, 0.01, 50.0, &|| false, || {
            n += 1.0;
            Ok(n * n)
        })
        .unwrap();
        // t0 = 10, then 20, 30, …: the fifth look at the clock is 50 ms in.
        assert_eq!(seen, [1.0, 4.0, 9.0, 16.0, 25.0]);
        let once = until_settled::<()>(&|| 0.0, 0.1, 1e9, &|| true, || Ok(1.0)).unwrap();
        assert_eq!(once, [1.0]);
    }
}
