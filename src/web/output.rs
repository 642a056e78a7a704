//! Results as the page receives them: camelCase plain objects, and integers that
//! may pass 2^53 (nonces, the numbers tested) as decimal strings.

use crate::{Algorithm, Ended, Kernel, LinkResult, MineJob, MineMode, MineReport, PrimesJob, PrimesReport, Span};
use serde::Serialize;
use wasm_bindgen::JsError;
use wasm_bindgen::JsValue;

pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("result: {e}")))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CoinOut {
    text: String,
    md5: String,
    nonce: Option<String>,
    index: String,
    worker: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Mined {
    workers: usize,
    mode: MineMode,
    /// The kernel that ran, and the md5 steps it takes per candidate in this mode.
    kernel: Kernel,
    steps_per_candidate: f64,
    start: String,
    count: String,
    hashes: f64,
    elapsed_ms: f64,
    ended: Ended,
    coins: Vec<CoinOut>,
    per_worker_hashes: Vec<f64>,
    spans: Vec<Span>,
    spans_dropped: f64,
}

impl Mined {
    pub fn new(job: &MineJob, r: &MineReport, elapsed_ms: f64) -> Self {
        Mined {
            workers: r.workers,
            mode: job.mode,
            kernel: job.kernel,
            steps_per_candidate: job.kernel.steps_per_candidate(job.mode),
            start: job.start.to_string(),
            count: job.count.to_string(),
            hashes: r.hashes as f64,
            elapsed_ms,
            ended: r.ended,
            coins: r
                .coins
                .iter()
                .map(|c| CoinOut {
                    text: c.text.clone(),
                    md5: c.md5.clone(),
                    nonce: c.nonce.map(|n| n.to_string()),
                    index: c.index.to_string(),
                    worker: c.worker,
                })
                .collect(),
            per_worker_hashes: r.per_worker_hashes.iter().map(|&h| h as f64).collect(),
            spans: r.spans.clone(),
            spans_dropped: r.spans_dropped as f64,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PrimeOut {
    n: String,
    prime: Option<bool>,
    worker: Option<usize>,
    start_ms: f64,
    end_ms: f64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Primes {
    workers: usize,
    algorithm: Algorithm,
    chunksize: usize,
    elapsed_ms: f64,
    stopped: bool,
    results: Vec<PrimeOut>,
    spans: Vec<Span>,
}

impl Primes {
    pub fn new(job: &PrimesJob, r: &PrimesReport, elapsed_ms: f64) -> Self {
        Primes {
            workers: r.workers,
            algorithm: job.algorithm,
            chunksize: job.chunksize,
            elapsed_ms,
            stopped: r.stopped,
            results: r
                .results
                .iter()
                .map(|p| PrimeOut {
                    n: p.n.to_string(),
                    prime: p.prime,
                    worker: p.worker,
                    start_ms: p.start_ms,
                    end_ms: p.end_ms,
                })
                .collect(),
            spans: r.spans.clone(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Links {
    pub elapsed_ms: f64,
    pub results: Vec<LinkResult>,
}
