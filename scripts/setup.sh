#!/usr/bin/env bash
# Installs what Concurrency Lab needs, only what is missing, and says what it installs.
# Safe to run again: every step checks first. `--test` adds the browser for tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
say() { printf 'setup: %s\n' "$*"; }

# The nightly toolchain with std's sources (for -Z build-std) and the wasm target.
# rustup may not install components by itself here, so ask for them explicitly.
toolchain=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
if ! rustup component list --toolchain "$toolchain" --installed 2>/dev/null | grep -q '^rust-src'; then
  say "installing rust-src for $toolchain"
  rustup component add rust-src --toolchain "$toolchain"
fi
if ! rustup target list --toolchain "$toolchain" --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
  say "installing the wasm32-unknown-unknown target for $toolchain"
  rustup target add wasm32-unknown-unknown --toolchain "$toolchain"
fi

# wasm-bindgen's CLI must match the wasm-bindgen crate in Cargo.lock exactly.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (have: ${have:-none}); this takes a few minutes"
  cargo install wasm-bindgen-cli --version "$want" --force
fi
if ! command -v wasm-pack >/dev/null; then
  say "installing wasm-pack; this takes a few minutes"
  cargo install wasm-pack
fi

# Front-end libraries and the browser driver library, exactly as locked.
if [ ! -d node_modules ] || ! npm ls --omit=optional >/dev/null 2>&1; then
  say "installing npm packages (package-lock.json)"
  npm ci --no-audit --no-fund
fi

if [ "${1:-}" = "--test" ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    say "installing Debian's chromium and chromium-driver"
    sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver
  fi
  # The second engine: Debian's Firefox ESR. geckodriver is not a Debian package and
  # npm's geckodriver downloads a binary at install time (no such download here),
  # so it is built from crates.io (about 8 minutes, once).
  if ! command -v firefox-esr >/dev/null; then
    say "installing Debian's firefox-esr"
    sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq firefox-esr
  fi
  if ! command -v geckodriver >/dev/null; then
    say "installing geckodriver 0.37.1 from crates.io; this takes about 8 minutes"
    cargo install geckodriver --version 0.37.1 --locked
  fi
fi
