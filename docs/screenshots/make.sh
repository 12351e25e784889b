#!/usr/bin/env bash
# The README's screenshots of the web view, made from the tests' fixtures by headless
# Chromium: the browser tests (Tests/WebViewTests/BrowserTests.swift) drive an in-process
# `aiops serve` fed by remote write and, with AIOPS_SCREENSHOTS set, save each page they
# check; the replay report is `aiops replay` of two shipped fixtures.
#
#   docs/screenshots/make.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v chromium >/dev/null || { echo "needs chromium (apt-get install chromium fonts-dejavu-core)" >&2; exit 1; }
out=docs/screenshots
swift build --product aiops
AIOPS_SCREENSHOTS="$PWD/$out" swift test --filter BrowserTests
# Only the ones the README shows are kept in the repository.
keep="overview incident-resolved series narrow-incident replay-report"
for f in "$out"/*.png; do
  name=$(basename "$f" .png)
  [[ " $keep " == *" $name "* ]] || rm -f "$f"
done
ls -la "$out"
