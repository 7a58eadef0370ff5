#!/usr/bin/env python3
# with-devserver.py: run a binding test against a fresh local server.
#
#   with-devserver.py [--timeout SECONDS] DEVSERVER -- COMMAND [ARG...]
#   with-devserver.py --skip REASON
#
# Starts DEVSERVER on a free loopback port, waits for its one stdout line
# ("metered-devserver listening on ws://HOST:PORT"), then runs COMMAND with
# METERED_URL and the server's built-in development credentials in the
# environment. Exits with COMMAND's status, or 1 when the server does not
# start or COMMAND outlives the timeout. --skip prints why a test cannot run
# and exits 77, which meson reports as SKIP.
#
# SPDX-License-Identifier: MIT

import argparse
import os
import selectors
import subprocess
import sys
import time

EXIT_SKIP = 77
STARTUP_TIMEOUT = 10.0
LISTENING = "metered-devserver listening on "

# The server's well-known development keys (printed by metered-devserver
# when it runs without --config); never real credentials.
DEV_ENV = {
    "METERED_API_KEY": "pk_live_dev",
    "METERED_SECRET_KEY_ID": "sk_id_dev",
    "METERED_SECRET": "sk_secret_dev",
}


def fail(message):
    print(f"with-devserver: {message}", file=sys.stderr)
    return 1


def read_url(server):
    """Reads the listening line, or returns None after STARTUP_TIMEOUT."""
    selector = selectors.DefaultSelector()
    selector.register(server.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    line = b""

    while not line.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not selector.select(remaining):
            return None
        chunk = os.read(server.stdout.fileno(), 4096)
        if not chunk:
            return None
        line += chunk

    text = line.decode("utf-8", "replace").strip()
    if not text.startswith(LISTENING):
        return None
    return text[len(LISTENING):]


def stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip", metavar="REASON")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("devserver", nargs="?")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()

    if args.skip is not None:
        print(f"SKIP: {args.skip}")
        return EXIT_SKIP

    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if args.devserver is None or not command:
        parser.error("need DEVSERVER -- COMMAND")

    server = subprocess.Popen([args.devserver, "--port", "0"],
                              stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL)
    try:
        url = read_url(server)
        if url is None:
            return fail("metered-devserver did not report its URL")

        env = dict(os.environ, METERED_URL=url, **DEV_ENV)
        child = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)
        try:
            return child.wait(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            return fail(f"{command[-1]} still running after {args.timeout:g} s")
        finally:
            stop(child)
    finally:
        stop(server)
        server.stdout.close()


if __name__ == "__main__":
    sys.exit(main())
