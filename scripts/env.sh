# Sourced by the scripts: the PATH that finds the installed tools (cargo's, and wasm-opt from
# end2end/node_modules, which cargo-leptos looks up by name, behind the wrapper in
# scripts/wasm-opt-passes that adds Portico's passes).
export PATH="$PWD/scripts/wasm-opt-passes:$PWD/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"

# A free TCP port on the loopback interface.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits (up to 30 s) until the portal on port $1 answers /readyz; fails if it never does.
wait_until_ready() {
  python3 - "$1" <<'WAIT'
import sys, time, urllib.request
for _ in range(150):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/readyz", timeout=1)
        break
    except OSError:
        time.sleep(0.2)
else:
    sys.exit("the portal did not start")
WAIT
}
