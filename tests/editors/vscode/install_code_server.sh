#!/usr/bin/env bash
# Install code-server 4.100.3 (the real VS Code workbench; the newest line that accepts
# Node 20) into a cache directory outside the repository, for tests/editors/vscode.
#
# Usage: install_code_server.sh [DEST]   (default ~/.cache/coda-ci/code-server-4.100.3)
# Prints the path of the code-server launcher on its last line. Idempotent: a complete
# install (marker file) is reused. Needs node/npm 20, a C++ toolchain (native modules),
# ripgrep and libkrb5-dev (apt), and network access to the npm registry only.
#
# Why not `npm i -g code-server`: as root its postinstall fails, and it downloads
# ripgrep from GitHub (not reachable from CI). So: unpack the npm tarball and do the
# postinstall steps by hand (lib/vscode's npm scripts are skipped, their native modules
# rebuilt against the system node headers).
set -euo pipefail
VERSION=4.100.3
DEST=${1:-${CODA_CODE_SERVER_DIR:-$HOME/.cache/coda-ci/code-server-$VERSION}}
MARKER="$DEST/.coda-install-complete"
LAUNCHER="$DEST/package/out/node/entry.js"

if [ -f "$MARKER" ] && [ -f "$LAUNCHER" ]; then
  echo "$LAUNCHER"
  exit 0
fi

for tool in node npm rg; do
  command -v "$tool" >/dev/null || { echo "install_code_server: $tool is missing" >&2; exit 1; }
done

rm -rf "$DEST"
mkdir -p "$DEST"
cd "$DEST"
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
# node-pty's install script runs `npx node-gyp`: let npx fetch it without asking
export npm_config_yes=true
# native modules (argon2, kerberos, ...) build against the system node's headers
export npm_config_nodedir=${npm_config_nodedir:-/usr}

echo "code-server: fetching $VERSION" >&2
npm pack "code-server@$VERSION" --silent >/dev/null
tar --no-same-owner -xzf "code-server-$VERSION.tgz"
rm -f "code-server-$VERSION.tgz"

echo "code-server: npm install (then argon2's native module)" >&2
# --ignore-scripts: code-server's postinstall refuses to run as root (and would run the
# lib/vscode steps below its own way); argon2 is then built explicitly.
(cd package && npm install --omit=dev --ignore-scripts --no-save --loglevel=error >&2 \
  && npm rebuild argon2 --loglevel=error >&2)

echo "code-server: lib/vscode modules" >&2
cd package/lib/vscode
npm install --omit=dev --ignore-scripts --no-save --loglevel=error >&2
npm rebuild kerberos @parcel/watcher @vscode/spdlog native-watchdog node-pty @vscode/deviceid \
  --loglevel=error >&2
# @vscode/ripgrep's postinstall downloads rg from GitHub: use the system's instead.
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
# The links code-server's own postinstall would make.
ln -sfn node_modules node_modules.asar
if [ -f bin/remote-cli/code-linux.sh ]; then
  ln -sfn code-linux.sh bin/remote-cli/code-server
fi
if [ -f bin/helpers/browser-linux.sh ]; then
  ln -sfn browser-linux.sh bin/helpers/browser.sh
fi
echo "code-server: built-in extensions" >&2
(cd extensions && npm install --omit=dev --ignore-scripts --no-save --loglevel=error >&2)

cd "$DEST"
# (its own config dir: the check must not write ~/.config/code-server)
XDG_CONFIG_HOME="$DEST/.config" node "$LAUNCHER" --version >&2
touch "$MARKER"
echo "$LAUNCHER"
