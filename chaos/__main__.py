"""`python -m chaos run [--seed N] [--short|--full] [--keep]`."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import random
import sys

from chaos.run import PROFILES, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chaos", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    go = sub.add_parser("run", help="one run: load, faults, checks")
    go.add_argument("--seed", type=int, default=None, help="replay a run (default: random)")
    size = go.add_mutually_exclusive_group()
    size.add_argument("--short", dest="profile", action="store_const", const="short")
    size.add_argument("--full", dest="profile", action="store_const", const="full")
    go.add_argument("--keep", action="store_true", help="keep the logs and data folders")
    go.add_argument("--rentals", type=int, help="stop the load after this many rentals")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="  %(asctime)s %(name)s: %(message)s")
    seed = args.seed if args.seed is not None else random.randrange(1, 10**6)
    profile = PROFILES[args.profile or "short"]
    if args.rentals:
        sms = args.rentals * profile.sms // profile.rentals
        profile = dataclasses.replace(profile, rentals=args.rentals, sms=sms)
    return asyncio.run(run(seed, profile, args.keep))


if __name__ == "__main__":
    sys.exit(main())
