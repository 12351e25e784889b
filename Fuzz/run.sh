#!/usr/bin/env bash
# libFuzzer targets for every parser of untrusted input (Fuzz/README.md).
#
#   Fuzz/run.sh [RUNS] [TARGET...]      default: 100000 runs of each target
#
# Builds the modules the targets need with -sanitize=fuzzer,address into .build/fuzz, seeds
# each target's corpus from Fuzz/Corpus/<target> plus the repository's fixtures, rules and
# config examples, runs it for RUNS inputs, and prints one line per target. Exits non-zero
# on the first crash, sanitizer report, leak or timeout (libFuzzer writes the input to
# .build/fuzz/artifacts/; turn it into a unit test).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${1:-100000}
shift || true
ALL="snappy protobuf remote_write http_request rule_file selector config fixtures"
TARGETS=${*:-$ALL}
OUT=.build/fuzz
FLAGS=(-parse-as-library -sanitize=fuzzer,address -O -g -suppress-warnings)
# Snapshots checksums with the SSE 4.2 crc32 instruction (Package.swift passes the same flag).
[[ "$(uname -m)" == x86_64 ]] && FLAGS+=(-Xcc -msse4.2)
mkdir -p "$OUT/artifacts"

deps() {
  case "$1" in
    snappy|protobuf|remote_write) echo "AIOpsCore RemoteWrite" ;;
    http_request) echo "AIOpsCore HTTPServer" ;;
    rule_file|selector) echo "AIOpsCore Detectors Rules" ;;
    fixtures) echo "AIOpsCore Fixtures" ;;
    config) echo "AIOpsCore RemoteWrite Store Detectors Rules Incidents Pipeline Forecasting Reports Advice Delivery Snapshots Fixtures WarmStart HTTPServer AlertTargets ScoreExport WebView Server" ;;
  esac
}

built=" "
build_module() {
  local name=$1
  [[ "$built" == *" $name "* ]] && return
  local lib="$OUT/lib$name.a"
  if [[ ! -f "$lib" || -n "$(find "Sources/$name" -newer "$lib" -name '*.swift' | head -1)" ]]; then
    echo "fuzz: building $name" >&2
    swiftc "${FLAGS[@]}" -emit-library -static -module-name "$name" -emit-module \
      -emit-module-path "$OUT/$name.swiftmodule" -I "$OUT" -o "$lib" Sources/"$name"/*.swift
  fi
  built+="$name "
}

seed() {
  local target=$1 dir=$2
  cp Fuzz/Corpus/"$target"/* "$dir"/ 2>/dev/null || true
  case "$target" in
    rule_file) cp rules/*.json "$dir"/ ;;
    fixtures)
      # The reader's first byte picks the format: 0 detect, 1 CSV, 2 query_range, 3 exposition.
      local i=0
      while IFS= read -r -d '' f; do
        { printf '\x00'; head -c 16384 "$f"; } > "$dir/fixture-$i"; i=$((i + 1))
      done < <(find fixtures -maxdepth 2 \( -name '*.csv' -o -name '*.json' -o -name '*.prom' -o -name '*.txt' \) -print0 | head -z -n 40)
      ;;
  esac
}

status=0
for target in $TARGETS; do
  libs=()
  for m in $(deps "$target"); do build_module "$m"; libs=(-l"$m" "${libs[@]}"); done
  exe="$OUT/fuzz-$target"
  if [[ ! -f "$exe" || "Fuzz/Targets/$target.swift" -nt "$exe" || -n "$(find "$OUT" -name 'lib*.a' -newer "$exe" | head -1)" ]]; then
    echo "fuzz: linking $target" >&2
    # (ld.gold warns about every ASan helper symbol; those lines are noise.)
    swiftc "${FLAGS[@]}" "Fuzz/Targets/$target.swift" -I "$OUT" -L "$OUT" "${libs[@]}" -lFoundation -o "$exe" \
      2> >(grep -v 'Cannot export local symbol' >&2)
  fi
  corpus="$OUT/corpus/$target"
  mkdir -p "$corpus"
  seed "$target" "$corpus"
  log="$OUT/$target.log"
  if "$exe" -runs="$RUNS" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$OUT/artifacts/$target-" "$corpus" > "$log" 2>&1; then
    result=ok
  else
    result=FAILED
    status=1
  fi
  done_line=$(grep -E '^Done [0-9]+ runs' "$log" | tail -1 || true)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
  echo "fuzz $target: $result; ${done_line:-no summary}; ${cov:-}; corpus $(ls "$corpus" | wc -l)"
  if [[ $result == FAILED ]]; then tail -40 "$log"; fi
done
exit $status
