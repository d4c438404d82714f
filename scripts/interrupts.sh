#!/usr/bin/env bash
# Interrupts full runs at seeded random moments (SIGINT or SIGTERM) against a SCIM server and
# counts what is left behind there (resources carrying scimcheck- in userName, displayName or
# externalId): the measurement behind README's "interrupts lose nothing". Needs curl and jq.
# usage: interrupts.sh BINARY BASE_URL TOKEN N SEED [MAX_MS]
set -u
BIN=$1 BASE=$2 TOKEN=$3 N=$4 SEED=$5 MAX=${6:-3000}
RANDOM=$SEED
total_left=0
for i in $(seq 1 "$N"); do
  delay=$(( (RANDOM * 32768 + RANDOM) % MAX + 100 ))
  sig=INT; (( RANDOM % 2 )) && sig=TERM
  out=$(mktemp -d)
  "$BIN" run "$BASE" --token "$TOKEN" --out "$out" --jobs 4 -q > "$out/stdout" 2> "$out/stderr" &
  pid=$!
  sleep "$(awk "BEGIN{print $delay/1000}")"
  kill -s "$sig" "$pid" 2>/dev/null
  wait "$pid"; code=$?
  left=0
  for ep in Users Groups; do
    n=$(curl -s -H "Authorization: Bearer $TOKEN" "$BASE/$ep?count=1000" | jq '[.Resources[]? | select((.userName // .displayName // "" | tostring | test("scimcheck-")) or ((.externalId // "") | tostring | test("scimcheck-")))] | length')
    left=$((left + ${n:-0}))
  done
  total_left=$((total_left + left))
  echo "run $i: SIG$sig after ${delay} ms -> exit $code, left on server: $left, checks finished: $(jq '.results | length' "$out/report.json" 2>/dev/null || echo none), report left_behind: $(jq '.left_behind | length' "$out/report.json" 2>/dev/null || echo none)"
  rm -rf "$out"
done
echo "TOTAL left behind after $N interrupted runs: $total_left"
