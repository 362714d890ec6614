# Sourced by the scripts: the PATH that finds the installed tools (cargo's, and wasm-opt from
# end2end/node_modules, which cargo-leptos looks up by name).
export PATH="$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
