//! The few globals of the browser the facade calls, on a window or in a worker alike.

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::RequestInit;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    pub fn fetch_with_init(input: &str, init: &RequestInit) -> Promise;
    #[wasm_bindgen(js_name = setTimeout)]
    pub fn set_timeout(callback: &Function, ms: u32) -> JsValue;
    #[wasm_bindgen(js_name = queueMicrotask)]
    pub fn queue_microtask(callback: &Function);
}

/// Resolves after `ms` on the browser's timer queue (a task, like `asyncio.sleep`).
pub async fn sleep(ms: u32) {
    let wait = Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, ms);
    });
    let _ = JsFuture::from(wait).await;
}
