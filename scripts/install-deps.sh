#!/usr/bin/env bash
# Installs everything LabelVault needs to build, run and test on Debian/Ubuntu:
# system libraries for Tauri/WebKitGTK and SQLCipher, the keyring, X server,
# PostgreSQL server, promtool, Schemathesis, datasets, the Label Studio SDK and argilla used by the tests, the UI's npm packages and tauri-driver. Safe to run again; works as root
# or through sudo.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-deps: run as root or install sudo" >&2; exit 1
  fi
fi

apt_pkgs=(
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev libssl-dev
  libdbus-1-dev build-essential pkg-config file libxdo-dev curl ca-certificates
  xvfb xauth webkit2gtk-driver gnome-keyring dbus dbus-x11 imagemagick
  postgresql
)
# Node.js may come from elsewhere than Debian (nvm, NodeSource); only install it when absent.
command -v npm >/dev/null 2>&1 || apt_pkgs+=(nodejs npm)
command -v python3 >/dev/null 2>&1 || apt_pkgs+=(python3 python3-pip)
# promtool checks a real /metrics scrape in the tests (tests/system/tests/contract.rs).
command -v promtool >/dev/null 2>&1 || apt_pkgs+=(prometheus)
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "install-deps: cargo not found; install Rust (rustup) first" >&2; exit 1
fi

if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "install-deps: installing tauri-driver"
  cargo install tauri-driver --locked --version '^2'
fi

# Fuzzing and the dependency audit in scripts/test.sh.
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "install-deps: installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi
if ! cargo deny --version >/dev/null 2>&1; then
  echo "install-deps: installing cargo-deny"
  cargo install cargo-deny --locked
fi

# The independent ledger verifier (tests/interop/verify_ledger.py) checks signatures
# with libsodium through PyNaCl, the batch reader (open_batch.py) decrypts with pyrage, and
# the hub key's PEM form is read back with `cryptography`; python-stdnum is the reference
# the national-id recognizers are checked against (tests/interop/national_ids.py).
if ! python3 -c "import nacl.bindings, cryptography, pyrage, stdnum" >/dev/null 2>&1; then
  echo "install-deps: installing PyNaCl, pyrage, cryptography and python-stdnum for the interop checks"
  if ! python3 -m pip --version >/dev/null 2>&1; then
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-pip
  fi
  # A Debian system Python refuses installs outside a virtual environment (PEP 668):
  # then install for this user.
  python3 -m pip install --quiet --disable-pip-version-check pynacl pyrage cryptography python-stdnum \
    || python3 -m pip install --quiet --disable-pip-version-check --user --break-system-packages \
         pynacl pyrage cryptography python-stdnum
fi

# Schemathesis checks the live hub against docs/openapi.yaml in the tests
# (tests/system/tests/contract.rs); pinned, so its checks are the same on every run.
schemathesis_version="4.32.5"
if ! python3 -m schemathesis.cli --version 2>/dev/null | grep -q "$schemathesis_version"; then
  echo "install-deps: installing schemathesis $schemathesis_version"
  python3 -m pip install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version" \
    || python3 -m pip install --quiet --disable-pip-version-check --user --break-system-packages \
         "schemathesis==$schemathesis_version"
fi

# The exports are loaded by the tools that read them (tests/interop/check_exports.py):
# Hugging Face datasets, the Label Studio SDK and the argilla package, pinned.
export_tools=("datasets==5.2.0" "label-studio-sdk==2.1.2" "argilla==2.8.0")
if ! python3 -c "import datasets, label_studio_sdk.label_interface, argilla" >/dev/null 2>&1; then
  echo "install-deps: installing ${export_tools[*]}"
  python3 -m pip install --quiet --disable-pip-version-check "${export_tools[@]}" \
    || python3 -m pip install --quiet --disable-pip-version-check --user --break-system-packages \
         "${export_tools[@]}"
fi

if [ -f "$here/ui/package.json" ]; then
  (cd "$here/ui" && if [ ! -d node_modules ] || [ package.json -nt node_modules ]; then npm install --no-audit --no-fund; fi)
fi
echo "install-deps: ok"
