#!/usr/bin/env bash
# Prints the size of what a browser downloads, raw and compressed, and fails when the
# compressed WASM grows past its budget. Run after a release build (`cargo leptos build --release`).
set -euo pipefail
cd "$(dirname "$0")/.."

# The budget for the WASM as browsers receive it (brotli). Raise it only on purpose, in the
# same commit as the feature that needs it, and update the README's figure (see "Size budget").
# The skeleton was 164,411 bytes; the sign-in steps (seven routes, their forms and server
# function clients, focus handling) brought it to 276,157, and step 4's paging and invoice
# details to 284,685; steps 5 to 8 and the receipt (five routes, the live total and card checks
# in the browser) to 366,568, and connecting a bank to 380,956; a shared radio-group component
# took it back to 372,505; the invoice-number search makes it 375,410. The line sits just
# above that.
WASM_BUDGET_BYTES=$((375 * 1024))

pkg=target/site/pkg
printf '%-18s %10s %10s %10s\n' file raw gzip-9 brotli-11
for file in "$pkg/portico.wasm" "$pkg/portico.js" "$pkg/portico.css"; do
  [ -f "$file" ] || { echo "missing $file: run a release build first" >&2; exit 1; }
  raw=$(stat -c %s "$file")
  gz=$(gzip -9 -c -n "$file" | wc -c)
  br=$(brotli -Z -c "$file" | wc -c)
  printf '%-18s %10s %10s %10s\n' "$(basename "$file")" "$raw" "$gz" "$br"
  [ "$file" = "$pkg/portico.wasm" ] && wasm_br=$br
done
printf 'wasm budget (brotli): %s of %s bytes (%s%%)\n' "$wasm_br" "$WASM_BUDGET_BYTES" \
  $((wasm_br * 100 / WASM_BUDGET_BYTES))
if [ "$wasm_br" -gt "$WASM_BUDGET_BYTES" ]; then
  echo "the compressed WASM is over its budget" >&2
  exit 1
fi
