#!/usr/bin/env bash
# `make run`: serves Argus in the foreground and restarts it when it dies of a crash
# (a signal such as SIGILL, SIGSEGV or SIGABRT), waiting 1, 2, 4 ... up to 30 s between
# tries; a clean exit, Ctrl-C or SIGTERM ends it. Each restart is logged on stderr.
set -uo pipefail
binary="${1:?usage: scripts/serve.sh PATH_TO_ARGUS}"
shift
delay=1
child=0
trap '[ "$child" -gt 0 ] && kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; exit 0' INT TERM
while true; do
    started=$(date +%s)
    "$binary" serve "$@" &
    child=$!
    wait "$child"
    status=$?
    child=0
    # 128 + signal number: a crash signal is restarted; anything else is the answer.
    case "$status" in
        132 | 133 | 134 | 135 | 136 | 139) ;;
        *) exit "$status" ;;
    esac
    # A server that ran for a minute before it died starts over with a short wait.
    [ $(($(date +%s) - started)) -ge 60 ] && delay=1
    echo "argus serve died of signal $((status - 128)); restarting in ${delay} s" >&2
    sleep "$delay"
    delay=$((delay * 2 > 30 ? 30 : delay * 2))
done
