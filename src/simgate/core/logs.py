"""The logging set-up of simgate's processes (serve, worker, agent), and URLs fit for a log.

Outbound URLs carry secrets: an agent's URL may hold user:password@ or a key in its query
string, a PUSH_SMS hub_url or a webhook a token. httpx logs every request's full URL at INFO,
so its loggers are held at WARNING (their warnings and errors still show), and our own lines
print a URL only through `loggable_url`.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit, urlunsplit

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
CHATTY_LOGGERS = ("httpx", "httpcore")


def configure(level: int = logging.INFO) -> None:
    """Root logging at `level`; HTTP client loggers never below WARNING."""
    logging.basicConfig(level=level, format=FORMAT)
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))


def loggable_url(url: str) -> str:
    """scheme://host:port/path of `url`: never its user, password, query or fragment."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "<unparsable URL>"
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port is not None else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
