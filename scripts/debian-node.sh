#!/usr/bin/env bash
# Unpacks Debian 12's own Node.js 18 into a folder, beside whatever node the machine has, and
# prints the path of a `node` that runs it: scripts/debian-node.sh DIR
#
# Why: the README promises the two commands on a fresh Debian 12, whose node is 18, while this
# machine image (and so CI) has a newer one. The JavaScript suites run under both (test.sh).
# Nothing installed is replaced: the two .deb files are extracted with `dpkg -x`, and only the
# libraries and the Debian node modules that Debian's node loads from /usr/share/nodejs
# (undici, cjs-module-lexer, acorn, busboy) are installed as packages. Safe to run again.
set -euo pipefail
dir=$(mkdir -p "$1" && cd "$1" && pwd)
launcher="$dir/bin/node"
if [ -x "$launcher" ] && "$launcher" --version >/dev/null 2>&1; then
  echo "$launcher"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
debian_node_version() {
  apt-cache madison nodejs | awk -F'|' '{ gsub(/ /, "", $2) } $2 ~ /^18\./ { print $2; exit }'
}
version=$(debian_node_version)
if [ -z "$version" ]; then
  $sudo apt-get update -q >&2
  version=$(debian_node_version)
fi
[ -n "$version" ] || { echo "debian-node: no Node.js 18 in the Debian archive apt knows" >&2; exit 1; }

downloads="$dir/debs"
rm -rf "$downloads" "$dir/root" && mkdir -p "$downloads" "$dir/root" "$dir/bin"
# apt's download user cannot write into a root-owned folder it does not own; that is harmless.
(cd "$downloads" && apt-get download -q "nodejs=$version" >&2 2>/dev/null)
libnode=$(dpkg-deb -f "$downloads"/nodejs_*.deb Depends | grep -o 'libnode[0-9]*' | head -1)
(cd "$downloads" && apt-get download -q "$libnode=$version" >&2 2>/dev/null)
for package in "$downloads"/*.deb; do dpkg -x "$package" "$dir/root"; done

# What libnode links and loads, by name, without its version constraints; busboy is what
# Debian's undici requires for FormData.
mapfile -t needed < <(dpkg-deb -f "$downloads/${libnode}"_*.deb Depends | tr ',' '\n' |
  sed -E 's/\(.*\)//; s/\|.*//; s/ //g' | grep -v '^$')
needed+=(node-busboy)
missing=()
for package in "${needed[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "debian-node: installing ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
# The library path is exported, not passed to the loader, so that the processes node forks
# (Vitest's workers) find libnode too; process.execPath stays the real binary.
cat >"$launcher" <<EOF
#!/bin/sh
LD_LIBRARY_PATH="$dir/root/usr/lib/$multiarch\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "$dir/root/usr/bin/node" "\$@"
EOF
chmod +x "$launcher"
"$launcher" --version >/dev/null
echo "$launcher"
