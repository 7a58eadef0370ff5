#!/usr/bin/env bash
# Runs every libFuzzer target in tests/fuzz for SECONDS each (default 30).
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]
#
# Configures _build-fuzz (CC=clang, -Dfuzzing=true) when needed, builds the
# targets, and fuzzes each one from a scratch copy of its seed corpus
# (tests/fuzz/corpus/<target>, never written to) with its dictionary. Any
# crash, leak, sanitizer report, timeout or failed assertion fails the
# target; the input that did it is kept in _build-fuzz/fuzz-artifacts/.
# Exits non-zero when a target failed.
#
# SPDX-License-Identifier: MIT

set -u

seconds=${1:-30}
shift $(( $# > 0 ? 1 : 0 ))

case $seconds in
  '' | *[!0-9]*) echo "usage: $0 [SECONDS] [TARGET...]" >&2; exit 2 ;;
esac

fuzz_dir=$(cd "$(dirname "$0")" && pwd)
source_root=$(cd "$fuzz_dir/../.." && pwd)
build_dir=$source_root/_build-fuzz
artifact_root=$build_dir/fuzz-artifacts

if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for source in "$fuzz_dir"/fuzz-*.c; do
    name=$(basename "$source" .c)
    [ "$name" = fuzz-common ] || targets+=("${name#fuzz-}")
  done
fi

cd "$source_root" || exit 2

if [ ! -f "$build_dir/build.ninja" ]; then
  CC=clang meson setup "$build_dir" -Dfuzzing=true -Db_lundef=false || exit 2
elif ! meson introspect "$build_dir" --buildoptions |
     python3 -c 'import json, sys; sys.exit(0 if any(o["name"] == "fuzzing" and o["value"] for o in json.load(sys.stdin)) else 1)'; then
  meson configure "$build_dir" -Dfuzzing=true || exit 2
fi

meson compile -C "$build_dir" "${targets[@]/#/fuzz-}" || exit 2

# GSlice would hide allocations from AddressSanitizer.
export G_SLICE=always-malloc
export G_DEBUG=gc-friendly
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0
failed=0

for target in "${targets[@]}"; do
  binary=$build_dir/tests/fuzz/fuzz-$target
  seeds=$fuzz_dir/corpus/$target
  dict=$fuzz_dir/$target.dict
  corpus=$work/$target/corpus
  log=$work/$target/log
  artifacts=$artifact_root/$target

  mkdir -p "$corpus" "$artifacts"
  [ -d "$seeds" ] && cp "$seeds"/. "$corpus"/ -R

  options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1
           -artifact_prefix="$artifacts/")
  [ -f "$dict" ] && options+=(-dict="$dict")

  start=$(date +%s)
  "$binary" "${options[@]}" "$corpus" >"$log" 2>&1
  status=$?
  elapsed=$(( $(date +%s) - start ))

  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)

  if [ "$status" -eq 0 ] &&
     ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|^SUMMARY: ' "$log"; then
    verdict=PASS
    passed=$((passed + 1))
  else
    verdict=FAIL
    failed=$((failed + 1))
  fi

  printf '%-16s %s  execs=%s exec/s=%s cov=%s ft=%s time=%ss\n' \
         "$target" "$verdict" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$elapsed"

  if [ "$verdict" = FAIL ]; then
    grep -E 'ERROR|(CRITICAL|WARNING) \*\*|runtime error:|SUMMARY:|Test unit written' "$log" |
      head -n 20 | sed 's/^/    /'
    cp "$log" "$artifacts/log"
    echo "    full log: $artifacts/log"
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
