// The typed contract of window.lab: options and results of every method, as JSDoc
// typedefs that `make lint` checks with the TypeScript compiler (tsc --checkJs) over
// www/, tests/ and bench/. Field names and their meaning are defined in Rust (src/);
// this file only states their types for the page. Extend it, don't rename.

/**
 * Integers that may pass 2^53 are accepted as numbers, BigInts or decimal strings.
 * @typedef {number | bigint | string} IntArg
 */

/**
 * Byte offsets of the shared counters (src/progress.rs, `Layout`).
 * @typedef {object} Layout
 * @property {number} runId
 * @property {number} stop
 * @property {number} coins
 * @property {number} finished
 * @property {number} hashes
 * @property {number} items
 * @property {number} busyUs
 * @property {number} coinSlots
 * @property {number} coinSlotBytes
 * @property {number} coinSlotCount
 * @property {number} coinTextLen
 * @property {number} coinMd5
 * @property {number} coinWorker
 * @property {number} coinIndex
 * @property {number} pulse  u32 bumped at every look at the stop flag: the watchdog's sign of life
 * @property {number} faultState  u32, 2 once a fault message is complete
 * @property {number} faultLen  u32, the message's length in bytes
 * @property {number} faultText  the message, UTF-8
 * @property {number} maxWorkers
 * @property {number} size
 */

/**
 * @typedef {object} LabList
 * @property {string} id
 * @property {string} title
 * @property {string[]} entries  paths under /lab/ (spread over *.localhost hosts) or absolute URLs with {protocol}
 */

/**
 * Every limit, default, layout and list the page shows or checks (src/contract.rs).
 * @typedef {object} Contract
 * @property {number} maxWorkers
 * @property {Layout} layout
 * @property {number} stallMs  the watchdog ends a CPU run whose pulse and counters stand still this long
 * @property {{defaultCount: number, taskCandidates: number, coinLen: number, coinOdds: number, modes: string[],
 *   kernels: {id: string, nonceSteps: number, randomSteps: number}[]}} mine
 * @property {{courseList: string[], maxNumbers: number, defaultChunksize: number, algorithms: string[]}} primes
 * @property {{maxUrls: number, maxConcurrency: number, defaultConcurrency: number, defaultTimeoutMs: number,
 *   maxTimeoutMs: number, maxRetries: number, maxRetryAfterMs: number, resultFields: string[], classes: string[], verdicts: string[],
 *   labLists: LabList[]}} links
 * @property {ModelsContract} [models]
 */

/**
 * @typedef {object} Info
 * @property {boolean} crossOriginIsolated
 * @property {number} hardwareConcurrency
 * @property {boolean} threads  wasm threads can run on this page
 * @property {import('./build.js').BuildName} build  the wasm build the workers load
 * @property {string} [noThreads]  with the single-thread build: why this page cannot run threads
 */

/**
 * @typedef {object} PoolCost
 * @property {number} poolStartMs  time to start the pool for this call, warm-up included; 0 when reused
 * @property {boolean} poolReused
 * @property {boolean} [moduleReused]  a new pool instantiated the module an earlier pool on this page compiled (and warmed up)
 * @property {number} [warmUpMs]  of poolStartMs, the short runs that warm the compiled code up
 * @property {number} [workersStarted]  Web Workers started for a new pool (the others it runs on were kept from the engine's earlier pools)
 * @property {number} [workersKept]  Web Workers a new pool runs on that the engine's earlier pools started
 * @property {string[]} [failedStarts]  what each attempt at this pool's start that failed or stalled said (its time is in poolStartMs); empty when the first attempt started it
 */

/**
 * @typedef {object} Span
 * @property {number} worker
 * @property {number} startMs
 * @property {number} endMs
 * @property {number} items
 */

/**
 * @typedef {object} MineOptions
 * @property {number | string} workers  pool size, 1 to contract.maxWorkers
 * @property {'nonce' | 'random'} [mode]
 * @property {IntArg} [start]
 * @property {IntArg} [count]
 * @property {IntArg} [coins]
 * @property {IntArg} [timeBudgetMs]
 * @property {'skip' | 'plain'} [kernel]  'skip' (default): steps over constant words once per hundred nonces, stops at step 61; 'plain': all 64 steps
 */

/**
 * @typedef {object} Coin
 * @property {string} text
 * @property {string} md5
 * @property {string | null} nonce
 * @property {string} index
 * @property {number} worker
 */

/**
 * @typedef {object} MineResultFields
 * @property {number} workers
 * @property {'nonce' | 'random'} mode
 * @property {string} start
 * @property {string} count
 * @property {number} hashes
 * @property {number} elapsedMs
 * @property {'complete' | 'coins' | 'time-budget' | 'stopped'} ended
 * @property {Coin[]} coins
 * @property {number[]} perWorkerHashes
 * @property {Span[]} spans
 * @property {number} spansDropped
 * @property {'skip' | 'plain'} kernel  the kernel that ran
 * @property {number} stepsPerCandidate  md5 steps it computes per candidate in this mode (of 64)
 * @property {boolean} [cancelled]  stopped before the run began (no other field but the pool's)
 * @typedef {MineResultFields & PoolCost} MineResult
 */

/**
 * @typedef {object} PrimesOptions
 * @property {number | string} workers
 * @property {IntArg[]} [numbers]
 * @property {IntArg} [chunksize]
 * @property {'trial' | 'miller-rabin'} [algorithm]
 */

/**
 * @typedef {object} PrimeResult
 * @property {string} n
 * @property {boolean | null} prime  null when stopped before it was decided
 * @property {number | null} worker
 * @property {number} startMs
 * @property {number} endMs
 */

/**
 * @typedef {object} PrimesResultFields
 * @property {number} workers
 * @property {string} algorithm
 * @property {number} chunksize
 * @property {number} elapsedMs
 * @property {boolean} stopped
 * @property {PrimeResult[]} results
 * @property {Span[]} spans
 * @property {boolean} [cancelled]
 * @typedef {PrimesResultFields & PoolCost} PrimesResult
 */

/**
 * One entry's outcome, decided in Rust (src/links.rs, `Outcome`): `class` and
 * `verdict` are what the page tallies; the other fields spell the outcome out.
 * @typedef {object} LinkResult
 * @property {number} index
 * @property {string} url
 * @property {string} class    '2xx' | '3xx' | '4xx' | '5xx' | 'other-status' | 'reachable' | 'timeout' | 'network' | 'redirects' | 'invalid-url' | 'aborted'
 * @property {string} verdict  'ok' | 'redirect' | 'broken' | 'unreachable' | 'skipped' | 'stopped'
 * @property {boolean} ok
 * @property {number | null} status
 * @property {number | null} bytes
 * @property {number} ms
 * @property {string | null} error
 * @property {boolean} redirected
 * @property {boolean} opaque
 * @property {number} attempts
 * @property {number} waitedMs  time spent waiting between attempts (back-off, or the server's Retry-After)
 */

/**
 * @typedef {object} LinksOptions
 * @property {string[]} [urls]  default: lab.labLinks()
 * @property {IntArg} [concurrency]
 * @property {IntArg} [timeoutMs]
 * @property {'cors' | 'no-cors'} [mode]
 * @property {IntArg} [retries]
 * @property {IntArg} [perHost]
 * @property {'get' | 'head-then-get'} [method]
 * @property {(r: LinkResult) => void} [onResult]
 */

/**
 * @typedef {object} LinksResult
 * @property {number} elapsedMs
 * @property {LinkResult[]} results  in input order
 */

/**
 * @typedef {object} ParsedList
 * @property {string[]} urls
 * @property {{line: number, text: string, reason: string}[]} rejected
 * @property {number} blankLines
 */

/**
 * @typedef {object} CensusOptions
 * @property {number} [pages]
 * @property {boolean} [live]
 * @property {'cors' | 'no-cors'} [mode]
 * @property {number} [concurrency]
 * @property {number} [timeoutMs]
 * @property {(r: LinkResult) => void} [onResult]
 * @property {(stage: string) => void} [onStage]
 * @property {AbortSignal} [signal]
 */

/**
 * @typedef {object} CensusResult
 * @property {string} api
 * @property {{title: string, links: string[]}[]} pages
 * @property {number} links
 * @property {ParsedList} list
 * @property {LinksResult} check
 */

/**
 * @typedef {object} Verdict
 * @property {string} md5
 * @property {boolean} fiftyDigits
 * @property {boolean} suffix
 * @property {boolean} coin
 */

/**
 * @typedef {object} Progress
 * @property {number} runId
 * @property {string | null} kind
 * @property {boolean} running
 * @property {boolean} starting
 * @property {number} workers
 * @property {number} coins
 * @property {number} hashes
 * @property {number} items
 * @property {number[]} perWorkerHashes
 * @property {number[]} perWorkerItems
 * @property {number[]} perWorkerBusyMs
 * @property {number} memoryBytes
 * @property {Coin[]} newCoins
 * @property {number} elapsedMs
 */

/**
 * @typedef {object} PoolStart
 * @property {number} workers
 * @property {number} poolStartMs
 * @property {boolean} poolReused
 * @property {boolean} moduleReused  the module the page compiled at load was instantiated, not compiled again (see PageModule)
 * @property {boolean} cold  a fresh engine: its module instance and every worker started for this pool
 * @property {number} workersStarted  Web Workers started for this pool (all of them when cold)
 * @property {number} workersKept  Web Workers it runs on that the engine's earlier pools started (0 when cold)
 * @property {string[]} failedStarts  what each attempt that failed or stalled said, before the one that started the pool (their time is in poolStartMs)
 * @property {number} pageWarmUpWaitMs  waiting for the page's warm-up at load to end (0 once it has): part of poolStartMs
 * @property {number} moduleMs  the engine worker loading the glue and instantiating the module (compiling it too, when not reused); 0 when not cold
 * @property {number} poolMs  starting the pool's workers and building rayon's pool on them
 * @property {PoolPhases | null} phases  where poolMs went (null in the single-thread build: no pool)
 * @property {number} warmUpMs  short mining runs until the compiled code is warm: part of the pool's start; 0 where the page has warmed its module up already, and on a pool rebuilt on an engine's workers
 * @property {number} wasmBytes
 */

/**
 * Short mining runs until the rate stops climbing (src/mining.rs, warm_up).
 * @typedef {object} WarmUp
 * @property {number} runs
 * @property {number} ms
 * @property {number[]} rates  hashes per ms of each run, in order: the climb the browser's tiering makes
 */

/**
 * The page's module: compiled once at load (on the link worker) and instantiated by
 * every engine; its code warmed up once, right after, on the link worker's thread.
 * @typedef {object} PageModule
 * @property {number} loadMs  the link worker loading the glue, compiling and instantiating the module
 * @property {WarmUp | null} warmUp  the page's warm-up (null if it failed)
 */

/**
 * One phase of the pool's workers' start: its median and its slowest worker, in ms.
 * @typedef {object} PhaseMs
 * @property {number} median
 * @property {number} max
 */

/**
 * Where a pool's start went (www/pool.js). The workers it lacked start at once, so the
 * phases overlap across workers: on a machine with fewer cores than workers they
 * queue. Phases are over the workers started for this pool; a pool built on workers
 * kept from the engine's earlier pools has fewer, or none (null phases).
 * @typedef {object} PoolPhases
 * @property {number} workers  threads in the pool
 * @property {number} started  Web Workers started for this pool
 * @property {number} kept  Web Workers it runs on that earlier pools of this engine started
 * @property {number} idle  the engine's other workers, started for a larger earlier pool: they wait (blocked, no CPU) for a later pool
 * @property {number} totalMs  from the first worker spawned (or the engine's call to build the pool, if later) to the pool built
 * @property {number} aheadMs  of totalMs, the time before the engine's call: the page starts a fresh engine's workers beside the engine worker, so their start overlaps the engine's own (0 for a pool the engine's workers were already started for)
 * @property {PhaseMs | null} script  from `new Worker` to its script running (thread, JS engine, script load)
 * @property {PhaseMs | null} glue  evaluating the module's JavaScript glue, which the workers' script holds
 * @property {PhaseMs | null} instantiate  instantiating the compiled module on the shared memory, with the thread's stack and thread-locals
 * @property {number} allReadyMs  from the first worker spawned to the last one ready (0 if none was started)
 * @property {number} registryMs  rayon's pool: the previous one ended, this one built and each of its threads running
 */

// ---------------------------------------------------------------- models lab

/**
 * lab.contract.models.gil, as the page reads it.
 * @typedef {object} GilTerms
 * @property {string[]} modes
 * @property {string[]} workloads
 * @property {number} defaultThreads
 * @property {number} maxThreads
 * @property {number} defaultN
 * @property {number} maxN
 * @property {number} defaultSwitchIntervalMs
 * @property {number} minSwitchIntervalMs
 * @property {number} maxSwitchIntervalMs
 * @property {number} defaultSleeps
 * @property {number} [maxSleeps]
 * @property {number} defaultSleepMs
 * @property {number} [maxSleepMs]
 * @property {number} defaultYieldEvery
 * @property {number} [opsPerIteration]
 * @property {string[]} [bytecode]  the countdown's bytecode, as dis would list it
 */

/**
 * lab.contract.models.loop.
 * @typedef {object} LoopTerms
 * @property {{id: string, title: string, python: string}[]} scenarios
 * @property {number} defaultScale
 * @property {number} [maxScale]
 * @property {number} defaultCpuMs
 * @property {number} [maxCpuMs]
 * @property {number} [heartbeatMs]
 */

/**
 * One of lab.contract.models.executor.presets.
 * @typedef {object} ExecutorPreset
 * @property {string} id
 * @property {string} title
 * @property {string} explanation
 * @property {string} python
 * @property {'done' | 'deadlock' | 'timeout' | 'stopped'} expected
 * @property {ExecutorOptions} [job]
 */

/**
 * lab.contract.models.executor.
 * @typedef {object} ExecutorTerms
 * @property {number} [maxWorkers]
 * @property {ExecutorPreset[]} presets
 */

/**
 * @typedef {object} ModelsContract
 * @property {GilTerms} gil           defaults and limits of lab.gil (src/gil.rs)
 * @property {LoopTerms} loop         scenarios and defaults of lab.loop (src/event_loop.rs)
 * @property {ExecutorTerms} executor presets of lab.executor (src/executor.rs)
 */

/**
 * @typedef {object} GilOptions
 * @property {number} threads
 * @property {'gil' | 'free' | 'processes' | 'async' | 'hybrid'} mode
 * @property {'cpu' | 'io' | 'mixed'} [workload]
 * @property {number} [n]  countdown start per thread (below 2^53: a plain number)
 * @property {number} [switchIntervalMs]
 * @property {number} [sleeps]
 * @property {number} [sleepMs]
 * @property {number} [yieldEvery]
 */

/**
 * @typedef {object} LaneInterval
 * @property {number} thread
 * @property {'run' | 'wait' | 'sleep'} state
 * @property {number} startMs
 * @property {number} endMs
 */

/**
 * @typedef {object} GilResultFields
 * @property {number} elapsedMs
 * @property {number} handovers
 * @property {{runMs: number, waitMs: number, sleepMs: number}[]} threads
 * @property {LaneInterval[]} lane
 * @property {number} laneMerged
 * @property {boolean} stopped
 * @typedef {GilResultFields & PoolCost} GilResult
 */

/**
 * @typedef {object} LoopOptions
 * @property {'gather' | 'sequential' | 'aiohttp' | 'aiohttp-sequential' | 'agen' | 'blocking' | 'hybrid' | 'order'} scenario
 * @property {number} [scale]  multiplies the course's delays
 * @property {number} [cpuMs]  the CPU step of 'blocking' and 'hybrid'
 */

/**
 * @typedef {object} LoopResult
 * @property {string} scenario
 * @property {number} elapsedMs
 * @property {{task: string, startMs: number, endMs: number, kind?: string}[]} spans
 * @property {number} maxLagMs
 * @property {string[]} order
 * @property {number} [cpuMs]  how long the CPU step took
 * @property {number} sumMs  the task spans' durations added up (the CPU step left out)
 * @property {number} maxMs  the longest task span
 */

/**
 * @typedef {object} ExecutorTask
 * @property {string} name
 * @property {string} [label]
 * @property {number} [workMs]
 * @property {string[]} [submits]
 * @property {string[]} [waitsFor]
 * @property {number} [timeoutMs]
 */

/**
 * @typedef {object} ExecutorOptions
 * @property {number} [maxWorkers]
 * @property {string[]} [submit]
 * @property {ExecutorTask[]} [tasks]
 * @property {string} [preset]  a preset's id instead of a description
 */

/**
 * One `result()` call a task made.
 * @typedef {object} ResultCall
 * @property {string} future
 * @property {number} atMs
 * @property {number | null} endMs
 * @property {number | null} timeoutMs
 * @property {'returned' | 'timed-out' | 'raised' | 'blocked'} outcome
 */

/**
 * @typedef {object} ExecutorTaskOutcome
 * @property {string} name
 * @property {string | null} label
 * @property {'not-submitted' | 'queued' | 'working' | 'waiting' | 'done' | 'failed'} state
 * @property {number | null} worker
 * @property {number | null} submittedMs
 * @property {number | null} startMs
 * @property {number | null} endMs
 * @property {string | null} waitingFor
 * @property {string | null} error
 * @property {ResultCall[]} calls
 */

/**
 * @typedef {object} ExecutorResultFields
 * @property {'done' | 'deadlock' | 'timeout' | 'stopped'} ended
 * @property {{task: string, label: string | null, worker: number | null, waitsFor: string | null, state: string}[]} cycle
 * @property {string | null} cycleText
 * @property {{from: string, to: string, kind: 'waits-for' | 'queued-behind' | 'submitted-by'}[]} graph  the wait-for graph when the run ended
 * @property {ExecutorTaskOutcome[]} tasks
 * @property {(string | null)[]} workers  the task each worker held when the run ended
 * @property {string[]} queue
 * @property {string | null} error  e.g. the TimeoutError of a result() call
 * @property {string | null} note   what Python would have done (hang forever), or why a run was stopped
 * @property {number | null} detectedAfterMs  the watchdog's latency
 * @property {number} elapsedMs
 * @property {number} releasedMs
 * @typedef {ExecutorResultFields & PoolCost} ExecutorResult
 */

export {};
