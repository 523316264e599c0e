"""``uv pip install`` with the package index settings of pip's own configuration (``make setup``).

uv does not read pip's configuration files or ``PIP_*`` variables; on a machine whose packages
come from a mirror, a local index or a wheel directory configured for pip, a plain
``uv pip install`` would look at pypi.org instead and fail without internet. This script reads
``pip config list`` (global, user, site files and ``PIP_*`` variables, pip's own precedence)
and passes the same index URL, extra indexes, find-links, constraints, certificate, timeout and
proxy to uv, with pip's way of choosing among indexes (best version over all of them).

Usage (from the Makefile)::

    .venv/bin/python tools/uv_install.py -e '.[test]'

Exits with uv's status (or 1 if uv or pip is missing), so that the caller can fall back to pip.
Standard library only: it runs before the project is installed.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

# later sources win, as in pip: global < user < site files < install section < PIP_* variables
SECTION_ORDER = {"global": 0, "install": 1, ":env:": 2}


def pip_settings() -> dict[str, str]:
    """pip's effective option values (``index-url``, ``find-links``, …) from ``pip config list``."""
    out = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True, check=True
    ).stdout
    found: dict[str, tuple[int, str]] = {}
    for line in out.splitlines():
        key, sep, raw = line.partition("=")
        if not sep or "." not in key:
            continue
        section, name = key.rsplit(".", 1)
        if section not in SECTION_ORDER:
            continue
        try:
            value = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            value = raw.strip("'\"")
        rank = SECTION_ORDER[section]
        if name not in found or rank >= found[name][0]:
            found[name] = (rank, str(value))
    return {name: value for name, (_, value) in found.items()}


def uv_arguments(settings: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """uv command-line options and environment variables equivalent to pip's ``settings``."""
    args = ["--index-strategy", "unsafe-best-match"]  # pip: best version across all indexes
    env: dict[str, str] = {}
    if settings.get("no-index", "").lower() in ("1", "true", "yes", "on"):
        args.append("--no-index")
    if "index-url" in settings:
        args += ["--index-url", settings["index-url"]]
    for url in settings.get("extra-index-url", "").split():
        args += ["--extra-index-url", url]
    for link in settings.get("find-links", "").split():
        args += ["--find-links", link]
    for path in settings.get("constraint", "").split():
        if Path(path).is_file():
            args += ["--constraints", path]
    for host in settings.get("trusted-host", "").split():
        args += ["--allow-insecure-host", host]
    if "cert" in settings:
        env["SSL_CERT_FILE"] = settings["cert"]
    timeout = settings.get("default-timeout") or settings.get("timeout")
    if timeout:
        env["UV_HTTP_TIMEOUT"] = str(int(float(timeout)))
    if "proxy" in settings:
        env["HTTPS_PROXY"] = env["HTTP_PROXY"] = settings["proxy"]
    return args, env


def main(requirements: list[str]) -> int:
    uv = Path(sys.executable).with_name("uv")
    uv_cmd = str(uv) if uv.exists() else shutil.which("uv")
    if not uv_cmd:
        print("uv_install: uv not found", file=sys.stderr)
        return 1
    try:
        args, env = uv_arguments(pip_settings())
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"uv_install: cannot read pip's configuration ({exc})", file=sys.stderr)
        return 1
    # Compiled at install, as pip does by default: uv does not, and where PYTHONDONTWRITEBYTECODE is
    # set (as on the project's machines) nothing ever writes them, so every process compiled every
    # library it imported from source (pandas, matplotlib, scipy, statsmodels, papermill: 9.7 s
    # with bytecode, 19.6-22.9 s without) -- each kernel, worker and test of a fresh clone.
    cmd = [uv_cmd, "pip", "install", "--compile-bytecode", "--python", sys.executable, *args, *requirements]
    return subprocess.run(cmd, env={**os.environ, **env}).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
