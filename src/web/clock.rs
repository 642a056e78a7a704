//! One millisecond clock for all workers.
//!
//! Each worker's `performance.now()` counts from that worker's own start, so
//! timestamps from different workers are put on one line by adding `timeOrigin`.
//!
//! Bound as imports of the module's own glue rather than as an `inline_js` snippet:
//! every snippet is one more file that each pool worker fetches as it starts.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    type Performance;
    #[wasm_bindgen(thread_local_v2, js_name = performance)]
    static PERFORMANCE: Performance;
    #[wasm_bindgen(method, getter, js_name = timeOrigin)]
    fn time_origin(this: &Performance) -> f64;
    #[wasm_bindgen(method)]
    fn now(this: &Performance) -> f64;
}

pub fn now_ms() -> f64 {
    PERFORMANCE.with(|p| p.time_origin() + p.now())
}
