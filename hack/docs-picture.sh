#!/usr/bin/env bash
# docs-picture.sh redraws docs/images/graceful-shutdown.png, the README's
# picture: the part of `podlife docs` that tells how an application that
# quits on SIGTERM loses requests (its traffic and its timeline), as
# headless Chromium draws it.
set -euo pipefail
cd "$(dirname "$0")/.."
site=$(mktemp -d)
trap 'rm -rf "$site"' EXIT
go run ./cmd/podlife docs features/graceful_shutdown.feature -o "$site" >/dev/null
python3 - "$site" <<'PY'
import re, sys
site = sys.argv[1]
page = open(site + "/graceful_shutdown.html").read()
style = re.search(r"<style>.*?</style>", page, re.S).group(0)
section = next(s for s in page.split('<section class="scenario">') if "quits on SIGTERM loses" in s)
part = section[:section.index("<pre>Scenario:")]
open(site + "/picture.html", "w").write("<!DOCTYPE html><html><head><meta charset=utf-8>" + style + "</head><body style='margin:12px;max-width:1060px'>" + part + "</body></html>")
PY
chromium --headless --no-sandbox --disable-gpu --force-device-scale-factor=1 --hide-scrollbars --user-data-dir="$site/profile" \
	--window-size=1090,620 --screenshot="$PWD/docs/images/graceful-shutdown.png" "file://$site/picture.html" 2>/dev/null
echo "wrote docs/images/graceful-shutdown.png"
