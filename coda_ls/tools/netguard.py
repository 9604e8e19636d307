"""Which addresses `web_fetch` may connect to: public ones only, unless a host is allowed.

A model talked into fetching `http://127.0.0.1:8080/admin`, `http://169.254.169.254/`
(cloud credentials) or a router at 192.168.1.1 reaches what the user's machine can
reach and the internet cannot. Every address a host name resolves to is checked (one
private address is enough to refuse), the connection then goes to the checked address
(no second lookup that DNS rebinding could answer differently), and redirects are
checked hop by hop by the caller. Numeric spellings (`0x7f000001`, `2130706433`,
`127.1`, `[::ffff:127.0.0.1]`) resolve through the same lookup as a connection would,
so they are judged by the address they mean.
"""

from __future__ import annotations

import asyncio
import fnmatch
import ipaddress
import socket
from collections.abc import Sequence

from coda_ls.errors import ToolError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Metadata services that live on ordinary-looking addresses (the 169.254/16 ones are
# link-local anyway): Azure's wire server, Alibaba's, AWS over IPv6.
_METADATA = {
    ipaddress.ip_address("168.63.129.16"),
    ipaddress.ip_address("100.100.100.200"),
    ipaddress.ip_address("fd00:ec2::254"),
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("169.254.170.2"),
}
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def refusal(address: IPAddress) -> str | None:
    """Why `address` may not be fetched ("loopback", "private", …), or None if public."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is not None:
            inner = refusal(embedded)
            if inner is not None:
                return inner
    if address in _METADATA:
        return "cloud metadata"
    checks = (
        (address.is_loopback, "loopback"),
        (address.is_unspecified, "unspecified"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
        (isinstance(address, ipaddress.IPv4Address) and address in _CGNAT, "carrier-grade NAT"),
        (address.is_private, "private"),
        (address.is_reserved, "reserved"),
        (not address.is_global, "non-public"),
    )
    return next((kind for hit, kind in checks if hit), None)


def host_allowed(host: str, port: int, allow_hosts: Sequence[str]) -> bool:
    """True when `host` (as written in the URL) or `host:port` matches an entry of
    `web.allow_hosts` (case-insensitive; `*` wildcards; `[::1]:8080` for IPv6)."""
    host = host.lower().strip("[]")
    for entry in allow_hosts:
        entry = entry.strip().lower()
        name, port_text = entry, None
        if entry.startswith("["):
            name, _, rest = entry[1:].partition("]")
            port_text = rest[1:] if rest.startswith(":") else None
        elif entry.count(":") == 1:
            name, port_text = entry.split(":")
        if fnmatch.fnmatchcase(host, name) and (
            port_text is None or fnmatch.fnmatchcase(str(port), port_text)
        ):
            return True
    return False


async def resolve_public(host: str, port: int) -> str:
    """The address to connect to for `host`, after checking every address it resolves
    to. Raises ToolError naming the address and why it is refused."""
    literal = host.strip("[]")
    try:
        addresses = [ipaddress.ip_address(literal.split("%")[0])]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                literal, port, type=socket.SOCK_STREAM
            )
        except OSError as exc:
            raise ToolError(f"{host}: cannot resolve the name ({exc.strerror or exc})") from None
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise ToolError(f"{host}: the name resolves to no address")
    for address in addresses:
        why = refusal(address)
        if why is not None:
            shown = host if str(address) == literal else f"{host} ({address})"
            raise ToolError(
                f"refused: {shown} is a {why} address; web_fetch only reaches public hosts",
                f"to fetch from it anyway, add '{host}:{port}' to web.allow_hosts in the config",
            )
    return str(addresses[0])
