# Concurrency Lab. Two commands do everything on a fresh machine:
#   make serve   build, then serve the page on http://localhost:$(PORT)/
#   make test    native tests, wasm tests in headless Chromium, end-to-end tests
# Each installs what is missing first (scripts/setup.sh) and says what it installs.

PORT ?= 8080
ADDR ?= 127.0.0.1
COEP ?= require-corp
export PATH := $(HOME)/.cargo/bin:$(PATH)
BUILD_STD := -Z build-std=panic_abort,std
CHROMEDRIVER ?= /usr/bin/chromedriver

.PHONY: serve test build pkg-faults soak test-soak-ci setup setup-test test-native test-wasm test-e2e lint bench vendor clean loadtest

serve: build
	cargo build --release -p lab-server
	PORT=$(PORT) ADDR=$(ADDR) COEP=$(COEP) ./target/release/lab-server --root .

build: setup vendor
	wasm-pack build --release --target web --no-pack . $(BUILD_STD)

# The test build: the threads build plus an entry point that crashes a pool thread on
# purpose (src/web/fault.rs), for the fault tests only; pages load it with ?build=faults.
pkg-faults: setup
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

test-wasm: setup-test
	CHROMEDRIVER=$(CHROMEDRIVER) wasm-pack test --headless --chrome --release . $(BUILD_STD)

test-e2e: build pkg-faults
	cargo build --release -p lab-server
	node --test --test-concurrency=1 tests/js/ tests/e2e/

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
