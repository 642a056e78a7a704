//! One millisecond clock for all workers.
//!
//! Each worker's `performance.now()` counts from that worker's own start, so
//! timestamps from different workers are put on one line by adding `timeOrigin`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = "export function epoch_ms() { return performance.timeOrigin + performance.now(); }")]
extern "C" {
    fn epoch_ms() -> f64;
}

pub fn now_ms() -> f64 {
    epoch_ms()
}
