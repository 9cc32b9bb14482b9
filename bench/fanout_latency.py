"""SMS pushed through hub process A → visible through hub process B: how long it takes.

Two `simgate serve` processes on one database, each with its own memory. For each SMS the
script sends PUSH_SMS to A, and from A's SUCCESS polls B's getState (msg_list=1) as fast as
one connection goes until B lists the new message; the delay from A's answer to B's first
answer that shows it is the figure (it includes one request to B, ~1-3 ms here). Run by
bench/speed.py (`--only fanout`); alone:

    python bench/fanout_latency.py --database-url URL --data-dir DIR --key APIKEY \
        --phone PHONE [--count 200]   # an account with one open rental on that number
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import httpx

import speed

SECONDS_PER_SMS = 10.0  # a hub that never shows the SMS fails the run instead of hanging


def _listed(client: httpx.Client, url: str, key: str) -> int:
    reply = client.get(
        f"{url}/api/getState.php", params={"apikey": key, "msg_list": 1, "message_to_code": 1}
    ).json()
    msgs = reply[0].get("msg") if isinstance(reply, list) and reply else None
    return len(msgs) if isinstance(msgs, list) else 0


def latencies(a: str, b: str, agent_key: str, key: str, phone: int, count: int) -> list[float]:
    """Seconds from A's SUCCESS to B showing the SMS, one per SMS."""
    out = []
    with httpx.Client(trust_env=False, timeout=30) as client:
        shown = _listed(client, b, key)
        for n in range(count):
            body = {
                "action": "PUSH_SMS",
                "smsId": int(time.time() * 1000) * 1000 + n,
                "phone": phone,
                "phoneFrom": "VK",
                "text": f"VK: {10000 + n}",
                "key": agent_key,
            }
            assert client.post(f"{a}/push_sms_webhook", json=body).json()["status"] == "SUCCESS"
            pushed = time.perf_counter()
            while _listed(client, b, key) <= shown:
                if time.perf_counter() - pushed > SECONDS_PER_SMS:
                    raise RuntimeError(f"SMS {n} never showed through B")
            out.append(time.perf_counter() - pushed)
            shown += 1
    return out


def fanout_row(label: str, env: dict[str, str], key: str, phone: int, count: int) -> speed.Row:
    a_port, b_port = speed.free_port(), speed.free_port()
    # Long-lived memories: only the change feed can show B the SMS in time.
    memory = {**env, "SIMGATE_WORKERS": "1", "SIMGATE_STATE_CACHE_SECONDS": "3600"}
    with (
        speed.running(speed.hub_command(a_port), a_port, memory),
        speed.running(speed.hub_command(b_port), b_port, memory),
    ):
        a, b = f"http://127.0.0.1:{a_port}", f"http://127.0.0.1:{b_port}"
        found = sorted(latencies(a, b, speed.AGENT_KEY, key, phone, count))
    p50, p99 = found[len(found) // 2], found[min(len(found) - 1, int(len(found) * 0.99))]
    print(
        f"  A → B over {len(found)} SMS: p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
        f"max {found[-1] * 1000:.1f} ms",
        flush=True,
    )
    return (
        f"SMS pushed through process A → visible through process B, max (p99) ({label})",
        f"{found[-1] * 1000:.1f} ms ({p99 * 1000:.1f} ms)",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--key", required=True, help="API key of an account with one rental")
    parser.add_argument("--phone", required=True, type=int, help="that rental's number")
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    env = {"SIMGATE_DATABASE_URL": args.database_url, "SIMGATE_DATA_DIR": str(args.data_dir)}
    print(fanout_row("", env, args.key, args.phone, args.count))


if __name__ == "__main__":
    main()
