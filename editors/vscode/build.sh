#!/usr/bin/env bash
# Build, test and package the VS Code extension into editors/vscode/coda.vsix.
# Called by CI; exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
# The chat view draws Mermaid diagrams with mermaid.min.js (MIT, one self-contained file),
# taken from the npm package rather than installed with its ~100 dependencies. Without it
# the extension still works and says diagrams are shown as text.
MERMAID_VERSION=11.17.2
if [ ! -f media/mermaid.min.js ] || ! grep -q "$MERMAID_VERSION" media/mermaid.LICENSE 2>/dev/null; then
  tmp=$(mktemp -d)
  if (cd "$tmp" && npm pack "mermaid@$MERMAID_VERSION" --silent >/dev/null \
      && tar --no-same-owner -xzf "mermaid-$MERMAID_VERSION.tgz" package/dist/mermaid.min.js package/LICENSE); then
    cp "$tmp/package/dist/mermaid.min.js" media/mermaid.min.js
    { echo "mermaid $MERMAID_VERSION (https://github.com/mermaid-js/mermaid)"; cat "$tmp/package/LICENSE"; } > media/mermaid.LICENSE
  else
    echo "warning: could not fetch mermaid $MERMAID_VERSION; diagrams will show as text" >&2
  fi
  rm -rf "$tmp"
fi
npm run compile
npm test
# </dev/null: vsce must never wait for an answer (it prompts only on a missing
# LICENSE/repository, which the manifest provides; this turns a regression into a failure).
npx --no-install vsce package --no-update-package-json -o coda.vsix </dev/null
