# Concurrency Lab. Two commands do everything on a fresh machine:
#   make serve   build, then serve the page on http://localhost:$(PORT)/
#   make test    native tests, wasm tests and end-to-end tests in headless Chromium and Firefox
# Each installs what is missing first (scripts/setup.sh) and says what it installs.

PORT ?= 8080
ADDR ?= 127.0.0.1
COEP ?= require-corp
export PATH := $(HOME)/.cargo/bin:$(PATH)
BUILD_STD := -Z build-std=panic_abort,std
# The end-to-end files that run in Firefox too. faults.test.mjs counts worker targets over
# the DevTools protocol, which only Chromium offers.
E2E_FIREFOX := tests/e2e/api.test.mjs tests/e2e/cpu.test.mjs tests/e2e/io.test.mjs tests/e2e/models.test.mjs tests/e2e/ui.test.mjs tests/e2e/a11y.test.mjs tests/e2e/static.test.mjs
CHROMEDRIVER ?= /usr/bin/chromedriver

.PHONY: serve test build dist pkg-st pkg-faults soak test-soak-ci setup setup-test test-native test-wasm test-e2e test-e2e-firefox lint bench vendor clean loadtest

serve: build
	cargo build --release -p lab-server
	PORT=$(PORT) ADDR=$(ADDR) COEP=$(COEP) ./target/release/lab-server --root .

# wasm-bindgen adds snippets to pkg*/snippets/ and never removes one a build no longer
# uses: each build starts from an empty snippets folder.
build: setup vendor pkg-st
	rm -rf pkg/snippets
	wasm-pack build --release --target web --no-pack . $(BUILD_STD)

# The page as static files for any host (a course site, GitHub Pages, a folder behind
# python3 -m http.server), at the root or under a sub-path: every URL in it is
# relative. sw.js isolates the page where the host sends no COOP/COEP and simulates the
# lab's endpoints; the page picks pkg/ (threads) or pkg-st/ (one thread) at start.
dist: build
	rm -rf dist
	mkdir -p dist
	cp index.html sw.js dist/
	cp -R www pkg pkg-st dist/
	find dist \( -name '*.d.ts' -o -name '*.d.mts' \) -delete
	@echo "dist/ is ready: copy the folder to any static host; see the README, Publishing."

# The single-thread build, for pages that cannot be cross-origin isolated: no atomics,
# no shared memory, so its own rustflags (RUSTFLAGS replaces .cargo/config.toml's) and
# its own target dir (so neither build invalidates the other's cache).
pkg-st: setup
	rm -rf pkg-st/snippets
	CARGO_TARGET_DIR=target/st RUSTFLAGS="-C target-feature=+simd128,+bulk-memory,+mutable-globals" \
	  wasm-pack build --release --target web --no-pack --out-dir pkg-st . --no-default-features $(BUILD_STD)

# The test build: the threads build plus an entry point that crashes a pool thread on
# purpose (src/web/fault.rs), for the fault tests only; pages load it with ?build=faults.
pkg-faults: setup
	rm -rf pkg-faults/snippets
	wasm-pack build --release --target web --no-pack --out-dir pkg-faults . $(BUILD_STD) --features fault-injection

# Plain ES modules, no bundler: the page imports these files as they are. Their type
# declarations go beside them, for `make lint`.
vendor:
	mkdir -p www/vendor
	cp node_modules/comlink/dist/esm/comlink.mjs www/vendor/comlink.mjs
	cp node_modules/comlink/dist/esm/comlink.d.ts www/vendor/comlink.d.mts
	cp node_modules/comlink/dist/esm/protocol.d.ts www/vendor/protocol.d.ts
	cp node_modules/uplot/dist/uPlot.esm.js www/vendor/uPlot.esm.js
	cp node_modules/uplot/dist/uPlot.d.ts www/vendor/uPlot.esm.d.ts
	cp node_modules/uplot/dist/uPlot.min.css www/vendor/uPlot.min.css

setup:
	bash scripts/setup.sh

setup-test:
	bash scripts/setup.sh --test

test: setup-test lint test-native test-wasm test-e2e test-soak-ci

test-native:
	cargo test --workspace
	cargo build --release -p lab-server && ./target/release/loadtest --scale ci

# Both engines: Chromium, then Firefox (geckodriver, installed by setup-test).
test-wasm: setup-test
	CHROMEDRIVER=$(CHROMEDRIVER) wasm-pack test --headless --chrome --release . $(BUILD_STD)
	GECKODRIVER=$$(command -v geckodriver) wasm-pack test --headless --firefox --release . $(BUILD_STD)

# The end-to-end suite in Chromium (playwright-core), then in Firefox (puppeteer-core over
# WebDriver BiDi; ENGINE=firefox, see tests/e2e/harness.mjs). test-e2e-firefox is the
# second half alone. In Firefox a test file that hangs fails after 10 minutes (a fresh
# pool has been seen never to finish starting there) instead of using up CI's time.
test-e2e: build pkg-faults dist
	cargo build --release -p lab-server
	node --test --test-concurrency=1 tests/js/ tests/e2e/
	ENGINE=firefox node --test --test-concurrency=1 --test-timeout=600000 $(E2E_FIREFOX)

test-e2e-firefox: build pkg-faults dist
	cargo build --release -p lab-server
	ENGINE=firefox node --test --test-concurrency=1 --test-timeout=600000 $(E2E_FIREFOX)

# The JS type check needs pkg/ (the facade's .d.ts) and www/vendor/, hence build.
lint: build
	node_modules/.bin/tsc -p tsconfig.json
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy --lib --target wasm32-unknown-unknown $(BUILD_STD) -- -D warnings

bench: build
	cargo build --release -p lab-server
	node bench/run.mjs

# A thousand runs of mining, primes and link checks while the pool changes among 1, 2,
# 7, 64 and 128: every result verified, live workers counted after each change, the JS
# heap and wasm memory flat (tests/soak/soak.mjs prints its figures). Minutes.
soak: build
	cargo build --release -p lab-server
	node tests/soak/soak.mjs --runs 1000

# The soak's short version, for make test: about a minute.
test-soak-ci: build
	cargo build --release -p lab-server
	node tests/soak/soak.mjs --runs 30

# The lab server under the issue's load, on loopback (it starts and stops its own
# server): 2,000 concurrent delays, 200 concurrent 64 MiB bodies, 1,000 stalled
# clients. Prints its figures; exits non-zero when one is out of bounds.
loadtest:
	cargo build --release -p lab-server
	./target/release/loadtest --scale full

clean:
	rm -rf pkg www/vendor target
