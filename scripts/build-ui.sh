#!/usr/bin/env bash
# Builds the web frontend into ui/dist (installing its npm packages when needed).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../ui"
if [ ! -d node_modules ] || [ package.json -nt node_modules ]; then
  npm install --no-audit --no-fund
fi
npm run build
# New files in ui/dist do not make cargo re-embed the assets by themselves.
touch ../src-tauri/build.rs
