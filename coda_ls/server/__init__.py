"""`coda-ls`: the Coda language server (pygls) over stdio, or TCP for debugging."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from coda_ls import __version__


def build_server() -> object:
    from coda_ls.server import commands, completion, features
    from coda_ls.server.app import CodaServer

    server = CodaServer()
    features.register(server)
    commands.register(server)
    completion.register(server)
    return server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="coda-ls", description=__doc__)
    parser.add_argument("--stdio", action="store_true", help="Serve over stdio (default).")
    parser.add_argument("--tcp", metavar="HOST:PORT", help="Serve over TCP, for debugging.")
    parser.add_argument(
        "--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"]
    )
    parser.add_argument("--log-file", help="Log here instead of stderr.")
    parser.add_argument("--profile", metavar="FILE", help="Write a cProfile (pstats) to FILE.")
    parser.add_argument("--pyroscope", metavar="URL", help="Send profiles to a Pyroscope server.")
    parser.add_argument("--version", action="version", version=f"coda-ls {__version__}")
    args = parser.parse_args(argv)
    # Logs never go to stdout: stdout carries only LSP frames.
    handler: logging.Handler = (
        logging.FileHandler(args.log_file) if args.log_file else logging.StreamHandler(sys.stderr)
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logging.basicConfig(level=args.log_level, handlers=[handler], force=True)
    if args.log_level != "DEBUG":
        logging.getLogger("pygls").setLevel(logging.ERROR)
        # pygls logs a full traceback for every malformed message; CodaProtocol answers
        # those and logs one line itself, so the traceback is only noise in the log.
        logging.getLogger("pygls.protocol.json_rpc").addFilter(
            lambda record: not record.getMessage().startswith("Unable to deserialize")
        )
    from coda_ls.server.app import CodaServer

    server = build_server()
    assert isinstance(server, CodaServer)
    # Coda's frame reader, not pygls': one bad frame makes pygls' deaf (see framing).
    from coda_ls.profiling import profiled, start_pyroscope
    from coda_ls.server import framing

    pyroscope = args.pyroscope or os.environ.get("CODA_PYROSCOPE")
    stop_pyroscope = start_pyroscope(pyroscope, "coda.server") if pyroscope else None
    try:
        with profiled(args.profile or os.environ.get("CODA_PROFILE")):
            if args.tcp:
                host, _, port = args.tcp.rpartition(":")
                framing.start_tcp(server, host or "127.0.0.1", int(port))
            else:
                framing.start_io(server)
    finally:
        if stop_pyroscope is not None:
            stop_pyroscope()


__all__ = ["build_server", "main"]
