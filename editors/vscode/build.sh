#!/usr/bin/env bash
# Build, test and package the VS Code extension into editors/vscode/coda.vsix.
# Called by CI; exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
npm run compile
npm test
# </dev/null: vsce must never wait for an answer (it prompts only on a missing
# LICENSE/repository, which the manifest provides; this turns a regression into a failure).
npx --no-install vsce package --no-update-package-json -o coda.vsix </dev/null
