#!/usr/bin/env bash
# install.sh: install git-remote-workspace and run its demo.
#
#   ./install.sh [--prefix DIR] [--debug] [--no-deps] [--no-demo]
#
# Installs the Debian packages it needs (scripts/deps.sh), builds (release unless --debug),
# installs git-remote-workspace and git-workspace into PREFIX/bin (default /usr/local when
# writable, else ~/.local), the man pages into
# PREFIX/share/man/man1 and the hooks into PREFIX/share/git-workspace/hooks, then runs the
# demo (scripts/demo.sh) with PREFIX/bin first on PATH. Running it again is harmless.
set -euo pipefail
cd "$(dirname "$0")"

# /usr/local when writable (root), else ~/.local: no sudo needed beyond apt-get.
if [ -n "${PREFIX:-}" ]; then prefix=$PREFIX
elif [ -w /usr/local ]; then prefix=/usr/local
else prefix=$HOME/.local
fi
config=release
deps=1
demo=1
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    --debug) config=debug; shift ;;
    --no-deps) deps=0; shift ;;
    --no-demo) demo=0; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; exit 64 ;;
  esac
done

[ $deps -eq 1 ] && bash scripts/deps.sh

swift build -c "$config" --product git-workspace
swift build -c "$config" --product git-remote-workspace
bin=$(swift build -c "$config" --show-bin-path)

install -d "$prefix/bin" "$prefix/share/man/man1" "$prefix/share/git-workspace/hooks"
install -m 755 "$bin/git-workspace" "$bin/git-remote-workspace" "$prefix/bin/"
install -m 644 man/*.1 "$prefix/share/man/man1/"
for hook in hooks/*; do
  [ -f "$hook" ] && install -m 755 "$hook" "$prefix/share/git-workspace/hooks/"
done
echo "installed into $prefix (git workspace, git-remote-workspace, man pages, hooks)" >&2

if [ $demo -eq 1 ]; then
  PATH="$prefix/bin:$PATH" bash scripts/demo.sh
fi
