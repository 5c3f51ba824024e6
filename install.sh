#!/usr/bin/env bash
# install.sh: install git-remote-workspace and run its demo.
#
#   ./install.sh [--prefix DIR] [--debug] [--no-deps] [--no-demo]
#
# Installs the Debian packages it needs (scripts/deps.sh), builds (release, the Swift runtime
# linked in, unless --debug), installs git-remote-workspace and git-workspace into PREFIX/bin
# (default /usr/local when writable, else ~/.local), the man pages into PREFIX/share/man, copies
# of the hook scripts into PREFIX/share/git-remote-workspace/hooks (a repository gets its
# hooks from `git workspace install-hooks`), then runs the demo (scripts/demo.sh) with
# PREFIX/bin first on PATH. Running it again is harmless.
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
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; exit 64 ;;
  esac
done

[ $deps -eq 1 ] && bash scripts/deps.sh

# A release build carries the Swift runtime and Foundation in each program: binding the
# symbols of a dozen shared Swift libraries was over a third of every start (20 -> 13 ms).
static=()
[ "$config" = release ] && static=(--static-swift-stdlib)
swift build -c "$config" "${static[@]}" --product git-workspace
swift build -c "$config" "${static[@]}" --product git-remote-workspace
bin=$(swift build -c "$config" "${static[@]}" --show-bin-path)

hooks=$prefix/share/git-remote-workspace/hooks
install -d "$prefix/bin" "$prefix/share/man/man1" "$prefix/share/man/man7" "$hooks"
install -m 755 "$bin/git-workspace" "$bin/git-remote-workspace" "$prefix/bin/"
install -m 644 man/*.1 "$prefix/share/man/man1/"
install -m 644 man/*.7 "$prefix/share/man/man7/"
# The scripts are what `git workspace install-hooks` writes (a test keeps them identical);
# this copy is for reading, or for a core.hooksPath shared by several repositories.
install -m 755 hooks/pre-commit hooks/pre-push hooks/post-merge hooks/post-rewrite "$hooks/"
cat >&2 <<EOF
installed into $prefix (git-workspace, git-remote-workspace, man pages, hook scripts in $hooks)
to check commits and pushes in a repository:  cd REPO && git workspace install-hooks
(see git-workspace-hooks(7); git commit --no-verify and git push --no-verify skip the checks)
EOF

if [ $demo -eq 1 ]; then
  PATH="$prefix/bin:$PATH" bash scripts/demo.sh
fi
