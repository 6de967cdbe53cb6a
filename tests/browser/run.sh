#!/bin/sh
# run.sh NODE CHROMIUM PLUGIN_DIR TEST_FILE: runs one browser test file with
# Node's test runner; exits 77 (ctest: skipped) when something it needs is
# absent, saying what.
node="$1" chromium="$2" plugins="$3" file="$4"
cd "$(dirname "$0")" || exit 1
missing=""
[ -n "$node" ] && [ -x "$node" ] || missing="$missing node"
[ -x "$chromium" ] || missing="$missing $chromium"
[ -d node_modules/playwright-core ] || missing="$missing playwright-core(npm ci in tests/browser)"
for plugin in auth contacts messages groups ws web push; do
	[ -f "$plugins/palaver-$plugin.so" ] || missing="$missing palaver-$plugin.so"
done
if [ -n "$missing" ]; then
	echo "browser test skipped, missing:$missing (scripts/install-deps.sh --test, then build everything)"
	exit 77
fi
exec "$node" --test "$file"
