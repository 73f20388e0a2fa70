"""The doors' key: with ASSISTANT_API_KEY set, /v1, /api and /mcp need `Authorization: Bearer KEY`.

Each door answers a missing or wrong key in its own protocol's error form; this module only
decides. The chat page's login (ASSISTANT_AUTH) is Gradio's and is not touched here."""

from __future__ import annotations

import hmac
import ipaddress

from index import Settings

LOOPBACK_NAMES = {"localhost", "ip6-localhost", "ip6-loopback"}


def key_accepted(authorization: str | None, key: str) -> bool:
    """True when no key is configured, or the header carries it as a bearer token."""
    if not key:
        return True
    scheme, _, token = (authorization or "").strip().partition(" ")
    # compared in constant time, so response times do not reveal how much of a guess was right
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), key.encode())


def is_loopback(host: str) -> bool:
    host = host.strip().strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name or 0.0.0.0 / :: : reachable from elsewhere


def exposure_warning(settings: Settings) -> str | None:
    """What to say at start when the app listens beyond loopback and something is open to anyone."""
    if is_loopback(settings.host) or settings.api_key:
        return None
    if settings.auth:  # the page has a login, the doors do not: said too, it is easy to miss
        return (f"listening on {settings.host}: the page needs a login (ASSISTANT_AUTH) but /v1, /api and /mcp "
                "are open to anyone who can reach this address; set ASSISTANT_API_KEY to close them")
    return (f"listening on {settings.host} with neither ASSISTANT_API_KEY nor ASSISTANT_AUTH set: anyone who "
            "can reach this address can ask questions (the page, /v1, /api, /mcp) and re-index (/api/index)")
