#!/bin/sh
# keyring-run.sh PROGRAM [ARGS...]: runs PROGRAM against a real, private
# secret service: a session bus of its own (dbus-run-session) with
# gnome-keyring-daemon's secrets component, its login keyring created and
# unlocked with a throwaway password, all in a temporary home that is
# removed afterwards. The user's own keyring is never touched.
#
# The bus and the keyring daemon do not see the display, so that an unlock
# prompt (tests lock the keyring on purpose) fails at once instead of
# opening a window nobody answers; PROGRAM itself still gets the display.
#
# Exits 77 (skipped) when dbus-run-session or gnome-keyring-daemon is missing.
#
# SPDX-License-Identifier: MIT

set -u

for tool in dbus-run-session gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "keyring-run: $tool is not installed; skipping" >&2
    exit 77
  fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/inspector-keyring.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

export HOME="$tmp/home"
export XDG_DATA_HOME="$tmp/data"
export XDG_CONFIG_HOME="$tmp/config"
export XDG_CACHE_HOME="$tmp/cache"
export XDG_RUNTIME_DIR="$tmp/runtime"
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
unset DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL SSH_AUTH_SOCK

export KEYRING_RUN_DISPLAY="${DISPLAY-}"
export KEYRING_RUN_WAYLAND_DISPLAY="${WAYLAND_DISPLAY-}"
unset DISPLAY WAYLAND_DISPLAY

# The daemon quits when the session bus goes away with dbus-run-session.
dbus-run-session -- sh -c '
  printf "%s" "inspector-test-keyring" |
    gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 77
  [ -n "$KEYRING_RUN_DISPLAY" ] && export DISPLAY="$KEYRING_RUN_DISPLAY"
  [ -n "$KEYRING_RUN_WAYLAND_DISPLAY" ] && export WAYLAND_DISPLAY="$KEYRING_RUN_WAYLAND_DISPLAY"
  unset KEYRING_RUN_DISPLAY KEYRING_RUN_WAYLAND_DISPLAY
  exec "$@"' keyring-run "$@"
