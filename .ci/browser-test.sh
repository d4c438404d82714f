#!/usr/bin/env bash
# Opens report.html in headless Chromium, as a person would: the summary must render (the page's
# script marks the body ready), expanding a failing check must show its transcript, and a
# screenshot of that state is kept. Usage: .ci/browser-test.sh DIR   (DIR holds report.html and report.json)
set -euo pipefail
dir=$(cd "$1" && pwd)
if ! command -v chromium >/dev/null; then
  echo "installing chromium (Debian package)"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chrome() {
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" "$@" 2>/dev/null
}
failing=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(next(x["id"] for x in r["results"] if x["status"]=="failed"))' "$dir/report.json")
page="file://$dir/report.html"

dom=$(chrome --dump-dom "$page")
grep -q 'data-ready="1"' <<<"$dom" || { echo "FAIL: the page's script did not run"; exit 1; }
grep -q 'id="summary"' <<<"$dom" || { echo "FAIL: no summary"; exit 1; }
echo "ok: summary rendered"

chrome --dump-dom "$page#check=$failing" > "$profile/dom.html"
python3 - "$failing" "$profile/dom.html" <<'PY' || { echo "FAIL: expanding $failing does not show its transcript"; exit 1; }
import re, sys
fid, dom = sys.argv[1], open(sys.argv[2]).read()
m = re.search(r'(<details[^>]*id="check-' + re.escape(fid) + r'"[^>]*>)(.*?)</details>', dom, re.S)
assert m, "no details element for the failing check"
assert ' open=' in m.group(1), "not expanded"
assert 'class="transcript"' in m.group(2), "no transcript"
PY
echo "ok: $failing expands to its transcript"

chrome --window-size=1280,2200 --screenshot="$dir/report.png" "$page#check=$failing"
test -s "$dir/report.png"
echo "ok: screenshot at $dir/report.png"
