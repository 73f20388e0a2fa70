"""Fetching pages and feeds from the web, safely: the one HTTP client of the project.

Every request goes through `Fetcher`: http(s) only; connect and read timeouts and a
deadline for the whole response; the body streamed and cut off at
ASSISTANT_MAX_ARTICLE_BYTES (counted after decompression, so a gzip bomb stops there
too); at most MAX_REDIRECTS redirects, each one checked again; one request at a time
per host with ASSISTANT_FETCH_DELAY between two; robots.txt obeyed unless
ASSISTANT_FETCH_ROBOTS=false.

Addresses are checked where the connection is made (`_GuardedBackend`): every address a
host name resolves to must be public, for the first request and after every redirect,
and the socket connects to the very address that was checked (a second DNS answer
cannot swap in 127.0.0.1). Private, loopback and link-local addresses are refused unless
ASSISTANT_FETCH_ALLOW_PRIVATE=true; cloud metadata endpoints are refused always (no
news is served from them, and they hand out credentials).
"""

from __future__ import annotations

import ipaddress
import re
import socket
import ssl
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpcore
import httpx

from .errors import AssistantError
from .settings import Settings

MAX_REDIRECTS = 5
USER_AGENT = "news-assistant/0.1 (+https://github.com/news-assistant; a question-answering assistant over news)"
ROBOTS_AGENT = "news-assistant"
WHOLE_RESPONSE = 3  # a response must arrive within this many read timeouts (a trickle that never ends)
HTML_TYPES = ("text/html", "application/xhtml+xml")
# instance metadata services of AWS/GCP/Azure/OpenStack (IPv4 and AWS's IPv6), Alibaba, Oracle
METADATA = frozenset(map(ipaddress.ip_address, ["169.254.169.254", "fd00:ec2::254", "100.100.100.200",
                                                 "192.0.0.192"]))


class FetchFailed(AssistantError):
    """A URL that could not be fetched; the message is the reason, fit for a user."""

    def __init__(self, url: str, reason: str):
        super().__init__(reason)
        self.url = url
        self.reason = reason


@dataclass(frozen=True, kw_only=True)
class Fetched:
    url: str  # where the body came from, after redirects
    status: int  # 200, or 304 for a conditional request whose resource has not changed
    content_type: str  # media type without parameters, lower case ("" when not sent)
    charset: str  # from the Content-Type header ("" when not sent)
    body: bytes
    etag: str = ""
    last_modified: str = ""
    location: str = ""  # where a redirect points

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def text(self) -> str:
        """The body as text: the header's charset, else a <meta> charset, else detected."""
        for charset in (self.charset, _meta_charset(self.body)):
            if charset:
                try:
                    return self.body.decode(charset)
                except (LookupError, UnicodeDecodeError):
                    pass
        from .articles import _Skip, decode

        try:
            return decode(self.body)
        except _Skip as why:
            raise FetchFailed(self.url, str(why)) from None

    def is_html(self) -> bool:
        if self.content_type:
            return self.content_type in HTML_TYPES
        head = self.body[:1024].lstrip().lower()
        return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)


def _meta_charset(body: bytes) -> str:
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii", "ignore") if match else ""


# -- addresses --------------------------------------------------------------------------

def address_refusal(address: str, *, allow_private: bool) -> str:
    """Why a connection to `address` is refused, or "" when it is allowed."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if ip in METADATA:
        return f"a cloud metadata address ({ip})"
    if ip.is_global and not ip.is_multicast:
        return ""
    if allow_private:
        return ""
    kind = ("loopback" if ip.is_loopback else "link-local" if ip.is_link_local else
            "unspecified" if ip.is_unspecified else "multicast" if ip.is_multicast else "private")
    return f"a {kind} address ({ip}; ASSISTANT_FETCH_ALLOW_PRIVATE=true allows it)"


class _Refused(Exception):
    """Raised inside the connection pool; turned into FetchFailed by the Fetcher."""


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolves a host itself, refuses it unless every address is allowed, then connects
    to that checked address (so what is connected to is what was checked)."""

    def __init__(self, allow_private: bool):
        self.allow_private = allow_private
        self.inner = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as error:
            raise _Refused(f"DNS lookup of {host} failed ({getattr(error, 'strerror', None) or error})") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        for address in addresses:
            why = address_refusal(address, allow_private=self.allow_private)
            if why:
                raise _Refused(f"refused: {host} resolves to {why}")
        last: Exception = _Refused(f"DNS lookup of {host} found no address")
        for address in addresses:
            try:
                return self.inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as failed:
                last = failed
        raise last

    def connect_unix_socket(self, *args, **kwargs):  # pragma: no cover - never used
        raise _Refused("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _GuardedTransport(httpx.HTTPTransport):
    def __init__(self, allow_private: bool):
        super().__init__(trust_env=False)  # a proxy from the environment would skip the address check
        # httpx takes no network backend, so its pool is replaced by one that has ours
        context = ssl.create_default_context()
        try:
            import certifi

            context.load_verify_locations(certifi.where())
        except ImportError:  # pragma: no cover - certifi comes with httpx
            pass
        self._pool = httpcore.ConnectionPool(ssl_context=context, max_connections=10,
                                             network_backend=_GuardedBackend(allow_private))


class using_fetcher:  # noqa: N801 - used like a function: `with using_fetcher(...) as client`
    """The caller's fetcher, or a new one closed afterwards."""

    def __init__(self, settings: Settings, given: Fetcher | None):
        self.given, self.settings = given, settings
        self.own: Fetcher | None = None

    def __enter__(self) -> Fetcher:
        if self.given is not None:
            return self.given
        self.own = Fetcher(self.settings)
        return self.own

    def __exit__(self, *exc) -> None:
        if self.own is not None:
            self.own.close()


# -- politeness -------------------------------------------------------------------------

class _Hosts:
    """One request at a time per host in this process, `delay` seconds apart."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._last: dict[str, float] = {}

    def turn(self, host: str, delay: float):
        with self._guard:
            lock = self._locks.setdefault(host, threading.Lock())
        return _Turn(self, host, lock, delay)


class _Turn:
    def __init__(self, hosts: _Hosts, host: str, lock: threading.Lock, delay: float):
        self.hosts, self.host, self.lock, self.delay = hosts, host, lock, delay

    def __enter__(self):
        self.lock.acquire()
        wait = self.hosts._last.get(self.host, 0.0) + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)

    def __exit__(self, *exc):
        self.hosts._last[self.host] = time.monotonic()
        self.lock.release()


HOSTS = _Hosts()
ROBOTS_TTL = 3600.0  # seconds a site's robots.txt is kept (the next update of its feeds costs no extra request)
_ROBOTS: dict[str, tuple[float, RobotFileParser | None]] = {}  # site -> (expires, rules); None: no rules
_ROBOTS_LOCK = threading.Lock()


# -- the fetcher ------------------------------------------------------------------------

class Fetcher:
    """Fetches URLs under the rules above. Use as a context manager, or call close()."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.max_bytes = settings.max_article_bytes
        timeout = settings.fetch_timeout
        self.client = httpx.Client(
            transport=_GuardedTransport(settings.fetch_allow_private), follow_redirects=False,
            timeout=httpx.Timeout(timeout, connect=timeout, read=timeout), trust_env=False,
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"})

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def get(self, url: str, *, accept: str = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
            etag: str = "", last_modified: str = "") -> Fetched:
        """The response to GET `url` (following redirects); raises FetchFailed with the reason.
        With `etag`/`last_modified` the request is conditional and may come back as a 304."""
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = check_url(url)
        for _ in range(MAX_REDIRECTS + 1):
            if self.settings.fetch_robots and not self._robots_allow(current):
                raise FetchFailed(url, f"robots.txt of {urlsplit(current).netloc} disallows {current} "
                                       "(ASSISTANT_FETCH_ROBOTS=false ignores robots.txt)")
            response = self._request(url, current, headers)
            if response.status not in (301, 302, 303, 307, 308):
                return response
            location = response.location
            if not location:
                raise FetchFailed(url, f"HTTP {response.status} redirect without a Location")
            current = check_url(urljoin(current, location), original=url)
        raise FetchFailed(url, f"more than {MAX_REDIRECTS} redirects")

    def _request(self, original: str, url: str, headers: Mapping[str, str]) -> Fetched:
        host = urlsplit(url).netloc.lower()
        with HOSTS.turn(host, self.settings.fetch_delay):
            try:
                with self.client.stream("GET", url, headers=headers) as response:
                    if response.status_code in (301, 302, 303, 307, 308):
                        return Fetched(url=url, status=response.status_code, content_type="", charset="",
                                       body=b"", location=response.headers.get("location", ""))
                    if response.status_code == 304:
                        return _fetched(url, response, b"")
                    if response.status_code >= 400:
                        phrase = f" {response.reason_phrase}" if response.reason_phrase else ""
                        raise FetchFailed(original, f"HTTP {response.status_code}{phrase}")
                    return _fetched(url, response, self._read(original, response))
            except _Refused as why:
                raise FetchFailed(original, str(why)) from None
            except httpx.ConnectTimeout:
                raise FetchFailed(original, f"timed out connecting to {host} "
                                            f"({self.settings.fetch_timeout:g} s)") from None
            except httpx.ReadTimeout:
                raise FetchFailed(original, f"timed out waiting for {host} "
                                            f"({self.settings.fetch_timeout:g} s, ASSISTANT_FETCH_TIMEOUT)") from None
            except httpx.DecodingError:
                raise FetchFailed(original, "the compressed body is corrupt") from None
            except httpx.ConnectError as error:
                raise FetchFailed(original, f"cannot connect to {host} ({_plain_error(error)})") from None
            except httpx.HTTPError as error:
                raise FetchFailed(original, f"{type(error).__name__}: {_plain_error(error)}") from None

    def _read(self, original: str, response: httpx.Response) -> bytes:
        deadline = time.monotonic() + WHOLE_RESPONSE * self.settings.fetch_timeout
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes and "content-encoding" not in response.headers:
            raise FetchFailed(original, self._too_large(int(declared)))
        parts, size = [], 0
        for part in response.iter_bytes():  # decompressed: the limit holds for what the body expands to
            size += len(part)
            if size > self.max_bytes:
                raise FetchFailed(original, self._too_large(size, cut=True))
            if time.monotonic() > deadline:
                raise FetchFailed(original, f"the body did not end within "
                                            f"{WHOLE_RESPONSE * self.settings.fetch_timeout:g} s; cut off")
            parts.append(part)
        return b"".join(parts)

    def _too_large(self, size: int, cut: bool = False) -> str:
        what = f"more than {self.max_bytes / 1e6:.1f} MB; cut off" if cut else f"{size / 1e6:.1f} MB"
        return f"too large ({what}; the limit is ASSISTANT_MAX_ARTICLE_BYTES)"

    def _robots_allow(self, url: str) -> bool:
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        with _ROBOTS_LOCK:
            known = _ROBOTS.get(root)
        if known is None or known[0] < time.monotonic():
            known = (time.monotonic() + ROBOTS_TTL, self._load_robots(root))
            with _ROBOTS_LOCK:
                _ROBOTS[root] = known
        rules = known[1]
        return rules is None or rules.can_fetch(ROBOTS_AGENT, url)

    def _load_robots(self, root: str) -> RobotFileParser | None:
        """The host's rules; None (everything allowed) when it has none (RFC 9309: a 4xx or an
        unreachable robots.txt allows all; the page fetch itself then reports a dead host)."""
        robots = root + "/robots.txt"
        try:
            fetched = self._request(robots, robots, {"Accept": "text/plain"})
        except FetchFailed as failed:
            if failed.reason.startswith("HTTP 5"):
                return _disallow_all()  # a server error there means: stay away for now (RFC 9309)
            return None
        if fetched.status != 200:
            return None  # a redirect or 304: treat as no rules
        rules = RobotFileParser()
        rules.parse(fetched.body.decode("utf-8", "replace").splitlines())
        return rules


def _disallow_all() -> RobotFileParser:
    rules = RobotFileParser()
    rules.parse(["User-agent: *", "Disallow: /"])
    return rules


def _fetched(url: str, response: httpx.Response, body: bytes) -> Fetched:
    media, _, params = response.headers.get("content-type", "").partition(";")
    charset = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", params, re.I)
    return Fetched(url=url, status=response.status_code, content_type=media.strip().lower(),
                   charset=charset.group(1) if charset else "", body=body,
                   etag=response.headers.get("etag", ""), last_modified=response.headers.get("last-modified", ""))


def _plain_error(error: Exception) -> str:
    text = str(error) or type(error).__name__
    match = re.search(r"\[Errno -?\d+\] (.+?)['\")]*$", text)
    return match.group(1) if match else text


def check_url(url: str, *, original: str = "") -> str:
    """`url` when it may be fetched (http or https, a host, no user name); else FetchFailed."""
    text = str(url or "").strip()
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as error:
        raise FetchFailed(original or text, f"not a valid URL ({error})") from None
    if parts.scheme.lower() not in ("http", "https"):
        shown = f"{parts.scheme}: URLs" if parts.scheme else "a URL without http:// or https://"
        raise FetchFailed(original or text, f"only http and https are fetched, not {shown}")
    if not parts.hostname:
        raise FetchFailed(original or text, "not a valid URL (no host)")
    if parts.username or parts.password:
        raise FetchFailed(original or text, "URLs with a user name or password are not fetched")
    return text


def iter_urls(values) -> Iterator[str]:
    """URLs from command-line words or a text box, separated by white space (not commas:
    some sites put commas in their paths)."""
    for value in values:
        for word in str(value or "").split():
            if word:
                yield word
