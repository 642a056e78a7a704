//! What a crash leaves behind. The wasm build aborts on panic (no unwinding across
//! threads), so a panic in a pool thread is a trap in a Web Worker that nobody
//! waits on: rayon's caller would wait forever and the page would learn nothing. The
//! hooks here write the panic's message (or the failed allocation) into the shared
//! counters first; the page's watchdog reads it there, ends the run with it and
//! replaces the engine.

use super::PROGRESS;
use std::sync::Once;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(text: &str);
}

/// Installs the panic and out-of-memory hooks once per module (they are global to
/// the instance, so its pool threads share them).
#[wasm_bindgen(js_name = installFaultHooks)]
pub fn install_fault_hooks() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            // `info` displays as "panicked at file:line:col:\nmessage".
            let text = info.to_string();
            PROGRESS.record_fault(&text);
            console_error(&text);
        }));
        // Without this hook an allocation that memory.grow cannot satisfy aborts with
        // no message at all. Runs inside the allocator: it must not allocate.
        std::alloc::set_alloc_error_hook(|layout| {
            let mut buf = [0u8; 160];
            let text = oom_message(&mut buf, layout.size());
            PROGRESS.record_fault(text);
            console_error(text);
        });
    });
}

/// The fault kept so far, if any: the single-thread build's engine reads it after a
/// trap, since its memory is not shared with the page.
#[wasm_bindgen(js_name = faultMessage)]
pub fn fault_message() -> Option<String> {
    PROGRESS.fault_message()
}

/// "out of memory: …" written into `buf` without allocating.
fn oom_message(buf: &mut [u8; 160], bytes: usize) -> &str {
    use std::io::Write;
    let mut cursor = std::io::Cursor::new(&mut buf[..]);
    let _ = write!(
        cursor,
        "out of memory: an allocation of {bytes} bytes failed (this build's wasm memory is capped at {} MiB)",
        MAX_MEMORY_MIB
    );
    let n = cursor.position() as usize;
    std::str::from_utf8(&buf[..n]).unwrap_or("out of memory")
}

/// The linker's `--max-memory` for the threads build (.cargo/config.toml); the
/// single-thread build's memory may grow to wasm32's 4 GiB.
const MAX_MEMORY_MIB: usize = if cfg!(feature = "threads") { 1024 } else { 4096 };

/// Faults on purpose, for the tests of the page's fault handling: compiled only into
/// test builds (`--features fault-injection`, see the Makefile's `pkg-faults`).
#[cfg(feature = "fault-injection")]
mod inject {
    use super::super::{PROGRESS, run};
    use wasm_bindgen::prelude::*;

    #[derive(serde::Deserialize, Default, Clone, Copy, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        /// A pool thread panics while the others work.
        #[default]
        Panic,
        /// A pool thread allocates until memory.grow fails.
        Oom,
        /// A pool thread spins forever without looking at the stop flag (a hung worker).
        Stall,
        /// A pool thread traps with no panic at all (`unreachable`).
        Trap,
    }

    #[derive(serde::Deserialize, Default)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct FaultArgs {
        #[serde(default)]
        kind: Kind,
        run_id: Option<u32>,
    }

    /// `lab.fault({kind})` in test builds: one pool thread faults, the others work on
    /// (mining, pulsing) until the page stops the run.
    #[wasm_bindgen(js_name = injectFault)]
    pub fn inject_fault(opts: JsValue) -> Result<JsValue, JsError> {
        let args: FaultArgs = super::super::options(opts)?;
        run(args.run_id, || {
            let workers = rayon::current_num_threads();
            rayon::scope(|s| {
                for w in 0..workers {
                    s.spawn(move |_| {
                        if w == 0 {
                            fault(args.kind);
                        } else if matches!(args.kind, Kind::Panic | Kind::Oom) {
                            // A crash with a message, while the others go on working;
                            // a stall or a bare trap leaves nothing moving.
                            while !PROGRESS.stop_requested() {
                                crate::mine_here(0, 4096);
                                PROGRESS.add_hashes(w, 4096);
                            }
                        }
                    });
                }
            })
        });
        Ok(JsValue::UNDEFINED)
    }

    fn fault(kind: Kind) {
        // Let the others start first, so the fault lands in a run that is going on.
        std::thread::sleep(std::time::Duration::from_millis(100));
        match kind {
            Kind::Panic => panic!("injected fault: a pool thread panicked on purpose (test build)"),
            Kind::Oom => {
                let mut hold: Vec<Vec<u8>> = Vec::new();
                loop {
                    hold.push(vec![1u8; 64 << 20]);
                }
            }
            Kind::Stall => loop {
                std::hint::spin_loop();
            },
            Kind::Trap => core::arch::wasm32::unreachable(),
        }
    }
}
