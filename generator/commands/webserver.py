"""Serve the built site with nginx, configured as in production (server/vagledning.conf).

    python -m generator.commands.webserver [--port 8080] [site]    (`make serve-site`)

nginx runs in the foreground with everything it writes (pid, log, temporary files) in a
folder of its own, so it runs as root or as any other user. Tests use `start` with a free
port of their own.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SERVER_DIR = Path(__file__).resolve().parents[2] / "server"
SITE_CONFIG = SERVER_DIR / "vagledning.conf"  # what production uses
LOCAL_TEMPLATE = SERVER_DIR / "nginx-local.conf.in"  # a whole nginx around it, for one folder
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"  # Debian's, in sbin (not on every user's PATH)


def write_config(site: Path, port: int, prefix: Path) -> Path:
    """nginx.conf in prefix, serving site on 127.0.0.1:port with the production configuration."""
    (prefix / "tmp").mkdir(parents=True, exist_ok=True)
    text = LOCAL_TEMPLATE.read_text(encoding="utf-8")
    for name, value in {"PREFIX": prefix.resolve(), "PORT": port, "ROOT": site.resolve(),
                        "CONFIG": SITE_CONFIG}.items():
        text = text.replace(f"@{name}@", str(value))
    conf = prefix / "nginx.conf"
    conf.write_text(text, encoding="utf-8")
    return conf


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(site: Path, port: int = 0, prefix: Path | None = None) -> tuple[subprocess.Popen, str]:
    """Start nginx for site; return the process and the site's URL once it answers.

    Port 0 picks a free port (and tries another if it was taken in the meantime)."""
    if not Path(NGINX).is_file():
        raise RuntimeError("nginx saknas: kör tools/system-deps.sh serve (Debians paket nginx).")
    prefix = (prefix or Path(tempfile.mkdtemp(prefix="nginx-"))).resolve()
    for _ in range(5):
        chosen = port or free_port()
        conf = write_config(site, chosen, prefix)
        process = subprocess.Popen([NGINX, "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(conf)],
                                   stdin=subprocess.DEVNULL)
        if _answers(chosen, process):
            return process, f"http://127.0.0.1:{chosen}"
        process.kill()
        process.wait()
        if port:
            break
    log = (prefix / "error.log").read_text(encoding="utf-8", errors="replace") if (prefix / "error.log").exists() else ""
    raise RuntimeError(f"nginx startade inte (se {prefix / 'error.log'}):\n{log}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _answers(port: int, process: subprocess.Popen, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.02)
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Visa den byggda webbplatsen med nginx, som i drift.")
    parser.add_argument("site", nargs="?", type=Path, default=Path("site"), help="webbplatsens mapp (standard: site/)")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--prefix", type=Path, default=Path("build/nginx"), help="mapp för nginx egna filer")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").exists():
        print(f"{args.site} har ingen webbplats: kör först make site.", file=sys.stderr)
        return 1
    try:
        process, url = start(args.site, args.port, args.prefix)
    except RuntimeError as err:
        print(err, file=sys.stderr)
        return 1
    print(f"Webbplatsen visas på {url}/ (avsluta med Ctrl+C).")
    try:
        return process.wait()
    except KeyboardInterrupt:
        stop(process)
        return 0


if __name__ == "__main__":
    sys.exit(main())
