# shellcheck shell=bash
# Helpers for hack/demo.sh: narration, processes it owns, waits by polling,
# loud failures with the log tail of the component that failed.

# Colours on a terminal only, unless NO_COLOR is set.
c_cmd='' c_bold='' c_dim='' c_red='' c_off=''
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
  c_cmd=$'\033[36m' c_bold=$'\033[1m' c_dim=$'\033[2m' c_red=$'\033[31m' c_off=$'\033[0m'
fi

# step TITLE: a heading; with DEMO_PAUSE=1 (and a terminal) waits for enter.
step() {
  printf "\n${c_bold}== %s${c_off}\n" "$1"
  if [ "${DEMO_PAUSE:-0}" = 1 ] && [ -t 0 ]; then read -r -p "(press enter) " _; fi
}

# say TEXT: narration between commands.
say() { printf "${c_dim}# %s${c_off}\n" "$*"; }

# cmdline ARGS...: the arguments as a person would type them, quoting those
# that need it.
cmdline() {
  local a out=""
  for a in "$@"; do
    case $a in
      '' | *[!A-Za-z0-9_./:=@%+,-]*)
        case $a in '>'* | '&') ;; *) a="'${a//\'/\'\\\'\'}'" ;; esac ;;
    esac
    out+="${out:+ }$a"
  done
  printf '%s' "$out"
}

# run CMD...: print the command a person would type, then run it. Fails the
# demo when it fails.
run() {
  printf "${c_cmd}\$ %s${c_off}\n" "$(cmdline "$@")"
  "$@"
}

# run_status CMD...: like run, but returns the exit status instead of failing
# the demo (diff exits 1 when it finds differences, check when it finds a problem).
run_status() {
  printf "${c_cmd}\$ %s${c_off}\n" "$(cmdline "$@")"
  local rc=0
  "$@" || rc=$?
  return "$rc"
}

# run_denied WANT CMD...: print and run CMD, which must fail with an error
# that contains WANT.
run_denied() {
  local want=$1
  shift
  printf "${c_cmd}\$ %s${c_off}\n" "$(cmdline "$@")"
  local out rc=0
  out=$("$@" 2>&1) || rc=$?
  printf '%s\n' "$out"
  if [ "$rc" = 0 ]; then die "expected \`$*\` to be rejected, but it succeeded" webhook; fi
  case $out in *"$want"*) ;; *) die "the rejection does not say \"$want\"" webhook ;; esac
}

# die MESSAGE [COMPONENT...]: fail loudly with the log tail of each component.
die() {
  local msg=$1
  shift
  printf "\n${c_red}demo: FAILED: %s${c_off}\n" "$msg" >&2
  local c
  for c in "$@"; do
    if [ -f "$demo_dir/$c.log" ]; then
      printf -- '--- last 40 lines of %s\n' "$demo_dir/$c.log" >&2
      tail -n 40 "$demo_dir/$c.log" >&2
    fi
  done
  exit 1
}

# wait_for WHAT SECONDS COMPONENT CMD...: poll CMD every 0.2s until it
# succeeds; fail with COMPONENT's log tail after SECONDS. A component that
# exited is reported at once.
wait_for() {
  local what=$1 secs=$2 comp=$3
  shift 3
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if [ -n "$comp" ] && [ -n "${pids[$comp]:-}" ] && ! kill -0 "${pids[$comp]}" 2>/dev/null; then
      die "$comp exited while waiting for $what" "$comp"
    fi
    if [ $SECONDS -ge $deadline ]; then die "gave up after ${secs}s waiting for $what" $comp; fi
    sleep 0.2
  done
}

# free_port: a free TCP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start NAME CMD...: run CMD in the background, its own process group,
# output to $demo_dir/NAME.log; remembered for stop_all.
declare -A pids=()
start() {
  local name=$1
  shift
  setsid "$@" >"$demo_dir/$name.log" 2>&1 </dev/null &
  pids[$name]=$!
  printf '%s\n' "${pids[$name]}" >>"$demo_dir/pids"
}

# stop_all: TERM every process group the demo started, wait up to 10s, KILL.
stop_all() {
  local name pid
  for name in "${!pids[@]}"; do
    pid=${pids[$name]}
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  local deadline=$((SECONDS + 10))
  for name in "${!pids[@]}"; do
    pid=${pids[$name]}
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    unset "pids[$name]"
  done
}

# leftovers: processes whose command line names the demo folder (prints
# them; status 0 when there are some).
leftovers() { pgrep -a -f -- "$demo_dir/"; }

# run_to FILE CMD...: print "CMD > FILE" and run CMD with its output in FILE.
run_to() {
  local file=$1
  shift
  printf "${c_cmd}\$ %s > %s${c_off}\n" "$(cmdline "$@")" "${file#"$PWD/"}"
  "$@" >"$file"
}

# show CMD...: print a command without running it (the demo runs it another way).
show() { printf "${c_cmd}\$ %s${c_off}\n" "$(cmdline "$@")"; }
