#!/bin/sh
# Bring the compose stack up, register the simulated agent, and run one rental end to end:
# getNum on one hub replica, the code read through the other, setOperationOk.
# Needs Docker with the compose plugin. Usage: deploy/compose-smoke.sh [--keep]
set -eu
cd "$(dirname "$0")/.."

compose() { docker compose "$@"; }
hub() { compose exec -T hub1 simgate "$@"; }

if [ "${1:-}" != "--keep" ]; then
    trap 'compose down -v >/dev/null 2>&1 || true' EXIT
fi
started=$(date +%s)
compose up -d --build --wait hub1 hub2 postgres
compose up -d worker agent

created=$(hub account create smoke --balance 100 --json)
apikey=$(printf '%s' "$created" | python3 -c 'import json,sys; print(json.load(sys.stdin)["apikey"])')
hub supplier add compose-agent --url http://agent:8090/ --key "${SIMGATE_AGENT_KEY:-compose-agent-key}"

# Stock arrives with the worker's next GET_SERVICES (every 10-20 s).
for _ in $(seq 60); do
    reply=$(curl -fsS "http://127.0.0.1:8081/api/getNum.php?apikey=$apikey&service=vk&number=1")
    case "$reply" in *'"tzid"'*) break ;; esac
    sleep 1
done
echo "getNum: $reply"
tzid=$(printf '%s' "$reply" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tzid"])')

for _ in $(seq 60); do
    state=$(curl -fsS "http://127.0.0.1:8082/api/getState.php?apikey=$apikey&tzid=$tzid&message_to_code=1")
    case "$state" in *TZ_NUM_ANSWER*) break ;; esac
    sleep 1
done
echo "getState: $state"
case "$state" in *TZ_NUM_ANSWER*) ;; *) echo "no code arrived" >&2; exit 1 ;; esac

curl -fsS "http://127.0.0.1:8081/api/setOperationOk.php?apikey=$apikey&tzid=$tzid"; echo
curl -fsS "http://127.0.0.1:8082/ready"; echo
curl -fsS "http://127.0.0.1:8081/metrics" | grep -E '^simgate_(rentals_total|agent_calls_total)' || true
echo "one rental through the compose stack in $(( $(date +%s) - started )) s"
