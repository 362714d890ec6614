#!/usr/bin/env bash
# README command 1: installs what is missing, builds the release portal and serves it on
# http://127.0.0.1:3000 with SQLite under ./data (a demo merchant is created on first start).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
cargo leptos build --release
scripts/precompress.sh
echo "==> Portico on http://127.0.0.1:3000 (demo billing link: http://127.0.0.1:3000/pay/northwind)"
exec "$target_dir/release/portico" serve
