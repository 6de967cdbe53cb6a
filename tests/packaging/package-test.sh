#!/usr/bin/env bash
# Builds the .deb packages from the build tree, unpacks them into a temporary
# root (dpkg -x), checks the unit, starts palaverd from that layout, and
# builds and loads the example plugin against the unpacked SDK. Then the
# author's kit at run time (issue 20): a plugin scaffolded with the packaged
# palaverctl new-plugin and the packaged example bot, built with only what the
# packages hold, enabled, reloaded (a changed setting and route) and disabled
# on a running palaverd while 200 WebSocket clients stay connected.
set -euo pipefail
build=$1
source=$2
ws_hold=$3
work=$(mktemp -d)
pid=""
hold=""
cleanup() {
  [[ -n "$hold" ]] && kill "$hold" 2>/dev/null || true
  [[ -n "$pid" ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [[ -f "$work/palaverd.log" ]] && tail -20 "$work/palaverd.log" >&2; exit 1; }

echo "== packages"
(cd "$build" && cpack -G DEB -B "$work/dist" > "$work/cpack.log") || { cat "$work/cpack.log"; fail "cpack"; }
deb=$(ls "$work"/dist/palaver_*.deb)
dev=$(ls "$work"/dist/palaver-dev_*.deb)
root="$work/root"
dpkg -x "$deb" "$root"
dpkg -x "$dev" "$root"
dpkg-deb -I "$deb" conffiles | grep -q '^/etc/palaver/palaver.ini$' || fail "palaver.ini is not a conffile"
dpkg-deb -I "$deb" control | grep -q '^Depends:.*adduser' || fail "no dependency on adduser"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -dumpmachine)
libdir="$root/usr/lib/$multiarch"
for f in usr/sbin/palaverd usr/sbin/palaverctl etc/palaver/palaver.ini lib/systemd/system/palaver.service \
         "usr/lib/$multiarch/libpalaver.so.$(sed -n 's/^#define PALAVER_API_MAJOR //p' "$source/core/include/palaver/Version.h")" usr/include/palaver/Plugin.h "usr/lib/$multiarch/cmake/Palaver/PalaverConfig.cmake"; do
  [[ -e "$root/$f" || -e "$root/usr/$f" ]] || fail "missing from the packages: $f"
done
# API 3.0: the event-loop helpers are the core's own, no longer the SDK's.
for h in Mailbox Acceptor EpollInterest; do
  [[ ! -e "$root/usr/include/palaver/$h.h" ]] || fail "the SDK still ships palaver/$h.h"
done
for p in auth contacts messages ws groups web; do
  [[ -f "$libdir/palaver/palaver-$p.so" ]] || fail "plugin $p is not packaged"
done
# The author's kit: the guide, the reference, the examples, the event names.
for f in PLUGINS.md CONFIGURATION.md examples/hello-plugin/CMakeLists.txt examples/live-counter/LiveCounterPlugin.cpp; do
  [[ -f "$root/usr/share/doc/palaver-dev/$f" ]] || fail "palaver-dev lacks /usr/share/doc/palaver-dev/$f"
done
[[ -f "$root/usr/include/palaver/Events.h" && -f "$root/usr/include/palaver/Setting.h" ]] || fail "the SDK lacks Events.h or Setting.h"
grep -q '^state_dir = /var/lib/palaver$' "$root/etc/palaver/palaver.ini" || fail "packaged palaver.ini keeps the in-tree state_dir"

echo "== systemd unit"
unit="$root/usr/lib/systemd/system/palaver.service"
[[ -f "$unit" ]] || unit="$root/lib/systemd/system/palaver.service"
if command -v systemd-analyze >/dev/null; then
  # verify wants the binaries where the unit names them: point it at the unpacked ones.
  mkdir -p "$work/unit"
  sed -e "s|/usr/sbin/palaverd|$root/usr/sbin/palaverd|" "$unit" > "$work/unit/palaver.service"
  systemd-analyze verify "$work/unit/palaver.service" 2> "$work/verify.log" || { cat "$work/verify.log"; fail "systemd-analyze verify"; }
  if grep -v -e "Failed to open /etc/" -e "^$" "$work/verify.log" | grep -q .; then cat "$work/verify.log"; fail "systemd-analyze verify warned"; fi
else
  echo "systemd-analyze not installed: unit not verified" >&2
  exit 1
fi

echo "== example plugin against the unpacked SDK"
# From the package's copy of the examples, not the source tree's.
cmake -S "$root/usr/share/doc/palaver-dev/examples/hello-plugin" -B "$work/hello" -DCMAKE_PREFIX_PATH="$root/usr" > "$work/hello-cmake.log" || { cat "$work/hello-cmake.log"; fail "example configure"; }
cmake --build "$work/hello" > "$work/hello-build.log" 2>&1 || { cat "$work/hello-build.log"; fail "example build"; }
[[ -f "$work/hello/palaver-hellobot.so" ]] || fail "example plugin not built"
# cmake --install puts it into palaverd's plugin folder (under DESTDIR), not /usr/local.
DESTDIR="$work/staged" cmake --install "$work/hello" > "$work/hello-install.log" 2>&1 || { cat "$work/hello-install.log"; fail "example install"; }
[[ -f "$work/staged/usr/lib/$multiarch/palaver/palaver-hellobot.so" ]] || { find "$work/staged" >&2; fail "example not installed into /usr/lib/$multiarch/palaver"; }
cmake -S "$source/examples/live-counter" -B "$work/livecounter" -DCMAKE_PREFIX_PATH="$root/usr" > "$work/livecounter-cmake.log" || { cat "$work/livecounter-cmake.log"; fail "live-counter configure"; }
cmake --build "$work/livecounter" > "$work/livecounter-build.log" 2>&1 || { cat "$work/livecounter-build.log"; fail "live-counter build"; }
[[ -f "$work/livecounter/palaver-livecounter.so" ]] || fail "live-counter plugin not built"
# The CMake package's version is the plugin API's: another major is refused.
api_major=$(sed -n 's/^#define PALAVER_API_MAJOR //p' "$source/core/include/palaver/Version.h")
mkdir -p "$work/oldapi"
printf 'cmake_minimum_required(VERSION 3.16)\nproject(oldapi CXX)\nfind_package(Palaver %s.0 REQUIRED)\n' "$((api_major - 1))" > "$work/oldapi/CMakeLists.txt"
if cmake -S "$work/oldapi" -B "$work/oldapi/build" -DCMAKE_PREFIX_PATH="$root/usr" > "$work/oldapi.log" 2>&1; then
  fail "find_package(Palaver $((api_major - 1)).0) accepted the SDK of plugin API $api_major"
fi
grep -q "version" "$work/oldapi.log" || { cat "$work/oldapi.log"; fail "find_package refused an old API for another reason"; }

echo "== palaverd from the unpacked layout"
mkdir -p "$work/plugins.d" "$work/state"
cp "$root"/etc/palaver/plugins.d/*.ini "$work/plugins.d/"
sed -i 's/^enabled = false/enabled = true/' "$work"/plugins.d/*.ini
printf '[hellobot]\nlibrary = %s\nenabled = true\ngreeting = Hi\n' "$work/hello/palaver-hellobot.so" > "$work/plugins.d/60-hellobot.ini"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
wsport=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
LD_LIBRARY_PATH="$libdir" "$root/usr/sbin/palaverd" --config="$root/etc/palaver/palaver.ini" \
  --plugins.directory="$libdir/palaver" --plugins.config_dir="$work/plugins.d" \
  --server.state_dir="$work/state" --http.port="$port" --ws.port="$wsport" > "$work/palaverd.log" 2>&1 &
pid=$!
health=""
for _ in $(seq 1 100); do
  health=$(curl -sf "http://127.0.0.1:$port/health" || true)
  [[ -n "$health" ]] && break
  kill -0 "$pid" 2>/dev/null || fail "palaverd exited"
  sleep 0.1
done
echo "$health"
for p in auth contacts messages ws groups web hellobot; do
  grep -q "\"name\":\"$p\"" <<< "$health" || fail "/health does not list $p"
done
token=$(curl -sf -H 'Content-Type: application/json' -d '{"username":"pkg","password":"secret123"}' \
  "http://127.0.0.1:$port/register" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/hellobot" | grep -q '"greeting":"Hi, pkg"' || fail "hellobot route"
kill -TERM "$pid"; wait "$pid" || fail "palaverd did not stop cleanly"
pid=""

echo "== the author's kit at run time: palaverctl new-plugin, the example bot, enable, reload, disable"
export LD_LIBRARY_PATH="$libdir"
ctl="$root/usr/sbin/palaverctl"
mkdir -p "$work/src" "$work/kit/plugins.d" "$work/kit/state"
(cd "$work/src" && "$ctl" new-plugin greeter > "$work/new-plugin.log") || { cat "$work/new-plugin.log"; fail "palaverctl new-plugin"; }
api="$api_major.$(sed -n 's/^#define PALAVER_API_MINOR //p' "$source/core/include/palaver/Version.h")"
grep -q "find_package(Palaver $api REQUIRED)" "$work/src/greeter/CMakeLists.txt" || fail "the scaffold does not ask for Palaver $api"
build_plugin() {  # source folder, build folder, log name
  cmake -S "$1" -B "$2" -DCMAKE_PREFIX_PATH="$root/usr" > "$work/$3-cmake.log" 2>&1 || { cat "$work/$3-cmake.log"; fail "$3 configure"; }
  cmake --build "$2" > "$work/$3-build.log" 2>&1 || { cat "$work/$3-build.log"; fail "$3 build"; }
}
build_plugin "$work/src/greeter" "$work/greeter" greeter
build_plugin "$root/usr/share/doc/palaver-dev/examples/echo-bot" "$work/echobot" echobot
# Every shipped plugin, and the two new ones declared but off.
cp "$root"/etc/palaver/plugins.d/*.ini "$work/kit/plugins.d/"
sed -i 's/^enabled = false/enabled = true/' "$work"/kit/plugins.d/*.ini
sed -e "s|^library = .*|library = $work/greeter/palaver-greeter.so|" -e 's/^enabled = true/enabled = false/' \
  "$work/src/greeter/greeter.ini" > "$work/kit/plugins.d/70-greeter.ini"
printf '[echobot]\nlibrary = %s\nenabled = false\n' "$work/echobot/palaver-echobot.so" > "$work/kit/plugins.d/75-echobot.ini"
sed -e "s|^state_dir = .*|state_dir = $work/kit/state|" -e "s|^directory = .*|directory = $libdir/palaver|" \
  -e "s|^config_dir = .*|config_dir = $work/kit/plugins.d|" "$root/etc/palaver/palaver.ini" > "$work/kit/palaver.ini"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
wsport=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$root/usr/sbin/palaverd" --config="$work/kit/palaver.ini" --http.port="$port" --ws.port="$wsport" \
  --auth.password_opslimit=1 --auth.password_memlimit=8192 > "$work/palaverd.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/health" > /dev/null && break
  kill -0 "$pid" 2>/dev/null || fail "palaverd exited"
  sleep 0.1
done
pctl() { "$ctl" --config="$work/kit/palaver.ini" "$@" >> "$work/ctl.log" 2>&1 || { cat "$work/ctl.log"; fail "palaverctl $*"; }; }
pctl plugins enable greeter
pctl plugins enable echobot
curl -sf "http://127.0.0.1:$port/greeter" | grep -q '"greeting":"Hello"' || fail "the scaffolded plugin's route"

# 200 WebSocket clients, held open from here to the end.
rm -f "$work/check"
"$ws_hold" "$port" "$wsport" 200 "$work/check" > "$work/ws-hold.log" 2>&1 &
hold=$!
for _ in $(seq 1 600); do
  grep -q '^connected 200$' "$work/ws-hold.log" && break
  kill -0 "$hold" 2>/dev/null || { cat "$work/ws-hold.log"; fail "ws-hold ended before connecting"; }
  sleep 0.1
done
grep -q '^connected 200$' "$work/ws-hold.log" || fail "200 WebSocket clients did not connect"

# A changed setting and a changed route, rebuilt, reloaded.
sed -i 's/^; greeting = Hello$/greeting = Changed/' "$work/kit/plugins.d/70-greeter.ini"
sed -i 's|"GET", "/greeter"|"GET", "/greeter/v2"|' "$work/src/greeter/GreeterPlugin.cpp"
build_plugin "$work/src/greeter" "$work/greeter" greeter-v2
pctl plugins reload greeter
curl -sf "http://127.0.0.1:$port/greeter/v2" | grep -q '"greeting":"Changed"' || fail "the reloaded plugin's new route and setting"
[[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/greeter") == 404 ]] || fail "the old route outlived the reload"

# The bot answers a message, as its own service account.
token=$(curl -sf -H 'Content-Type: application/json' -d '{"username":"asker","password":"secret123"}' \
  "http://127.0.0.1:$port/register" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
bot=$(curl -sf "http://127.0.0.1:$port/echobot" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["accountId"])')
curl -sf -H "Authorization: Bearer $token" --data-urlencode "text=are you there" "http://127.0.0.1:$port/post/touser/$bot" > /dev/null || fail "a message to the bot"
answered=""
for _ in $(seq 1 100); do
  answered=$(curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/messages/from/$bot" | grep -o '"text":"echo: are you there"' || true)
  [[ -n "$answered" ]] && break
  sleep 0.1
done
[[ -n "$answered" ]] || fail "the bot did not answer"

# The ABI gate: a plugin built against another POCO (here its headers' version
# faked as 1.12.4) is refused with one line before any of its code runs, and
# plugins.d stays as it was.
(cd "$work/src" && "$ctl" new-plugin otherpoco > /dev/null) || fail "palaverctl new-plugin otherpoco"
sed -i 's/^PALAVER_PLUGIN(/#undef POCO_VERSION\n#define POCO_VERSION 0x010C0400\nPALAVER_PLUGIN(/' "$work/src/otherpoco/OtherpocoPlugin.cpp"
build_plugin "$work/src/otherpoco" "$work/otherpoco" otherpoco
printf '[otherpoco]\nlibrary = %s\nenabled = false\n' "$work/otherpoco/palaver-otherpoco.so" > "$work/kit/plugins.d/80-otherpoco.ini"
if "$ctl" --config="$work/kit/palaver.ini" plugins enable otherpoco > "$work/otherpoco.log" 2>&1; then
  cat "$work/otherpoco.log"; fail "a plugin built against POCO 1.12.4 was enabled"
fi
grep -q "built against POCO 1.12.4" "$work/otherpoco.log" || { cat "$work/otherpoco.log"; fail "the POCO refusal does not say why"; }
grep -q '^enabled = false' "$work/kit/plugins.d/80-otherpoco.ini" || fail "a refused enable left plugins.d enabled"

pctl plugins disable greeter
pctl plugins disable echobot
[[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/greeter/v2") == 404 ]] || fail "the disabled plugin's route still answers"
grep -q '^enabled = false' "$work/kit/plugins.d/70-greeter.ini" || fail "palaverctl plugins disable left plugins.d enabled"

touch "$work/check"
wait "$hold" || { cat "$work/ws-hold.log"; fail "WebSocket clients were dropped"; }
cat "$work/ws-hold.log"
kill -TERM "$pid"; wait "$pid" || fail "palaverd did not stop cleanly"
pid=""
echo "3 passed, 0 failed"
