#!/bin/sh
# Progress of a `pip install .` build on the user's terminal (issue 11).
#
# pip shows a build backend's output only with `pip install -v`; without it a user sees
# "Building wheel for funnelnet (pyproject.toml) ..." for minutes.  In scikit-build-core
# builds (SKBUILD) bindings/python/CMakeLists.txt runs every compile and link through
# this launcher: it writes one line to the controlling terminal, when there is one, and
# then runs the command unchanged.  Without a terminal (CI logs, notebooks, pipes) it
# writes nothing; the build's own output is untouched either way.
#
# usage: pip_progress.sh STATE_DIR TOTAL compile|link COMMAND [ARGS...]
#        pip_progress.sh STATE_DIR TOTAL say MESSAGE
state=$1
total=$2
what=$3
shift 3

tty_ok() { (: >/dev/tty) 2>/dev/null; }

if [ "$what" = say ]; then
  if tty_ok; then printf '\n%s\n' "$*" >/dev/tty; fi
  exit 0
fi

if tty_ok; then
  name=""
  prev=""
  for arg in "$@"; do
    case "$prev" in
      -c) [ "$what" = compile ] && name=$arg ;;
      -o) [ "$what" = link ] && name=$arg ;;
    esac
    prev=$arg
  done
  # The step number: one line per started step (parallel steps may share a number).
  echo >>"$state/pip_progress.steps" 2>/dev/null
  k=$(wc -l <"$state/pip_progress.steps" 2>/dev/null | tr -d ' ')
  case "$name" in
    */src/*) name=src/${name##*/src/} ;;
    */bindings/python/*) name=bindings/python/${name##*/bindings/python/} ;;
    *) name=${name##*/} ;;
  esac
  # "\r": start at the left edge, over what pip's spinner drew since the last line.
  printf '\rfunnelnet: [%s/~%s] %s %s\n' "$k" "$total" "$what" "$name" >/dev/tty
fi
exec "$@"
