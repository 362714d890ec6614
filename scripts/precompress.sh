#!/usr/bin/env bash
# Writes .gz and .br beside each built static file, at the highest levels, once per build:
# the server then sends those instead of compressing the WASM on every request.
set -euo pipefail
cd "$(dirname "$0")/.."
find target/site -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.svg' \) |
  while read -r file; do
    gzip -9 -k -f -n "$file"
    brotli -Z -k -f "$file"
  done
