#!/usr/bin/env bash
# Runs every libFuzzer target in tests/fuzz for SECONDS each (default 30).
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]
#
# Configures the build directory (CC=clang, -Dfuzzing=true) when needed,
# builds the targets, and fuzzes each one from a scratch copy of its seed
# corpus (tests/fuzz/corpus/<target>, never written to) with its
# dictionary. Any crash, leak, sanitizer report, timeout or failed assertion
# fails the target; the input that did it is kept in
# <build>/fuzz-artifacts/<target>/ with the log. Exits non-zero when a
# target failed.
#
# Environment:
#   FUZZ_BUILDDIR   build directory (default: _build-fuzz in the source tree)
#   FUZZ_JOBS       targets fuzzed at once (default: the number of CPUs)
#   FUZZ_KEEP_DIR   keep each grown corpus and log in FUZZ_KEEP_DIR/<target>/
#
# SPDX-License-Identifier: MIT

set -u

seconds=${1:-30}
shift $(( $# > 0 ? 1 : 0 ))

case $seconds in
  '' | *[!0-9]* | 0) echo "usage: $0 [SECONDS] [TARGET...]" >&2; exit 2 ;;
esac

fuzz_dir=$(cd "$(dirname "$0")" && pwd)
source_root=$(cd "$fuzz_dir/../.." && pwd)
build_dir=${FUZZ_BUILDDIR:-$source_root/_build-fuzz}
artifact_root=$build_dir/fuzz-artifacts
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
keep_dir=${FUZZ_KEEP_DIR:-}

case $jobs in
  '' | *[!0-9]* | 0) echo "$0: FUZZ_JOBS must be a positive number" >&2; exit 2 ;;
esac

cd "$source_root" || exit 2

if [ ! -f "$build_dir/build.ninja" ]; then
  CC=clang meson setup "$build_dir" -Dfuzzing=true -Db_lundef=false || exit 2
elif ! meson introspect "$build_dir" --buildoptions |
     python3 -c 'import json, sys; sys.exit(0 if any(o["name"] == "fuzzing" and o["value"] for o in json.load(sys.stdin)) else 1)'; then
  meson configure "$build_dir" -Dfuzzing=true || exit 2
fi

# Regenerates build.ninja (and so the target list) when a meson.build changed.
ninja -C "$build_dir" build.ninja >/dev/null || exit 2

# The targets are the fuzz-* executables tests/fuzz/meson.build declares; a
# fuzz-*.c source without one is an error, not a silently skipped target.
mapfile -t declared < <(meson introspect "$build_dir" --targets |
  python3 -c 'import json, sys
for t in json.load(sys.stdin):
    if t["type"] == "executable" and t["name"].startswith("fuzz-"):
        print(t["name"][len("fuzz-"):])' | sort)

for source in "$fuzz_dir"/fuzz-*.c; do
  name=$(basename "$source" .c)
  name=${name#fuzz-}
  [ "$name" = common ] && continue
  if ! printf '%s\n' "${declared[@]}" | grep -qxF "$name"; then
    echo "$0: tests/fuzz/fuzz-$name.c has no executable in tests/fuzz/meson.build" >&2
    exit 2
  fi
done

if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=("${declared[@]}")
fi

meson compile -C "$build_dir" "${targets[@]/#/fuzz-}" || exit 2

# GSlice would hide allocations from AddressSanitizer.
export G_SLICE=always-malloc
export G_DEBUG=gc-friendly
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Fuzzes one target; writes its summary line to $work/<target>/result and
# the details of a failure to $work/<target>/failure.
fuzz_one() {
  local target=$1
  local binary=$build_dir/tests/fuzz/fuzz-$target
  local seeds=$fuzz_dir/corpus/$target
  local dict=$fuzz_dir/$target.dict
  local corpus=$work/$target/corpus
  local log=$work/$target/log
  local artifacts=$artifact_root/$target
  local start status elapsed execs rate cov ft corp rss files bytes verdict

  mkdir -p "$corpus" "$artifacts"
  [ -d "$seeds" ] && cp -R "$seeds"/. "$corpus"/

  local options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1
                 -artifact_prefix="$artifacts/")
  [ -f "$dict" ] && options+=(-dict="$dict")

  start=$(date +%s)
  "$binary" "${options[@]}" "$corpus" >"$log" 2>&1
  status=$?
  elapsed=$(( $(date +%s) - start ))

  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
  corp=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$log" | tail -n 1 | cut -d' ' -f2)
  files=$(find "$corpus" -type f | wc -l)
  bytes=$(du -sk "$corpus" | cut -f1)

  # A run that executed nothing found nothing either.
  if [ "$status" -eq 0 ] && [ -n "$execs" ] && [ "$execs" -gt 0 ] &&
     ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|^SUMMARY: ' "$log"; then
    verdict=PASS
  else
    verdict=FAIL
  fi

  printf '%-16s %s  execs=%s exec/s=%s cov=%s ft=%s corpus=%s (%s files, %s KiB on disk) rss=%sMB time=%ss\n' \
         "$target" "$verdict" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" \
         "$files" "$bytes" "${rss:-?}" "$elapsed" >"$work/$target/result"

  if [ "$verdict" = FAIL ]; then
    cp "$log" "$artifacts/log"
    {
      grep -E 'ERROR|(CRITICAL|WARNING) \*\*|runtime error:|SUMMARY:|Test unit written' "$log" |
        head -n 20 | sed 's/^/    /'
      echo "    full log: $artifacts/log"
    } >"$work/$target/failure"
  fi

  if [ -n "$keep_dir" ]; then
    rm -rf "${keep_dir:?}/$target"
    mkdir -p "$keep_dir/$target"
    cp -R "$corpus" "$log" "$keep_dir/$target/"
  fi
}

echo "Fuzzing ${#targets[@]} targets for ${seconds}s each, $jobs at a time"

running=0
for target in "${targets[@]}"; do
  if [ ! -x "$build_dir/tests/fuzz/fuzz-$target" ]; then
    echo "$0: no fuzz target named $target" >&2
    exit 2
  fi
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
  fuzz_one "$target" &
  running=$((running + 1))
done
wait

passed=0
failed=0
for target in "${targets[@]}"; do
  cat "$work/$target/result"
  if [ -f "$work/$target/failure" ]; then
    cat "$work/$target/failure"
    failed=$((failed + 1))
  else
    passed=$((passed + 1))
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
