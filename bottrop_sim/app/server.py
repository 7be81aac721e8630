"""Start the workshop app's Solara server (what ``bottrop-sim app`` calls).

The server runs in production mode and offline: Solara's front end (scripts,
styles, fonts, icons) comes from the installed ``solara-assets`` package, the
version check against PyPI and Solara's usage telemetry are switched off, so
neither the browser nor the server contacts anything but the given host.

Usage::

    python -m bottrop_sim.app.server [--host 127.0.0.1] [--port 8765] [--open]
"""

from __future__ import annotations

import argparse
import os
import warnings

APP = "bottrop_sim.app.main:Page"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
OFFLINE_ENVIRONMENT = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",  # no usage statistics sent to mixpanel
}


class AppUnavailableError(RuntimeError):
    """The app's optional dependencies are missing (install ``bottrop-sim[app]``)."""


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, open_browser: bool = False) -> None:
    """Run the workshop app until interrupted (Ctrl+C).

    Args:
        host: interface to listen on; the default serves this computer only.
        port: TCP port; 0 picks a free one.
        open_browser: open the app in the default browser once the server runs.

    Raises:
        AppUnavailableError: Solara or its offline assets are not installed.
    """
    for name, value in OFFLINE_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    try:
        import solara  # noqa: F401
        import solara_assets  # noqa: F401 - serves the front end without a CDN
        from solara.__main__ import run
    except ImportError as error:
        raise AppUnavailableError(f"the workshop app needs the 'app' extra: pip install 'bottrop-sim[app]' ({error})") from None
    # Solara warns on every first request over plain http that its session cookie cannot be
    # samesite=none; on 127.0.0.1 or a room's local network that is expected and only noise.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    arguments = [APP, "--host", host, "--port", str(int(port)), "--production", "--no-check-version", "--theme-loader", "plain"]
    arguments.append("--open" if open_browser else "--no-open")
    run.main(args=arguments, prog_name="bottrop-sim app", standalone_mode=False)


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m bottrop_sim.app.server [--host H] [--port P] [--open]``."""
    parser = argparse.ArgumentParser(prog="python -m bottrop_sim.app.server", description="Start the bottrop_sim workshop app.")
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"interface to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"TCP port (default {DEFAULT_PORT}; 0: any free port)")
    parser.add_argument("--open", action="store_true", help="open the app in the default browser")
    args = parser.parse_args(argv)
    serve(args.host, args.port, args.open)


if __name__ == "__main__":
    main()
