"""``make lab`` starts JupyterLab on the project's kernel with the notebooks folder, and prints the URL."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_make_lab_serves_the_notebooks_on_the_project_kernel():
    port = free_port()
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"LAB_PORT={port}"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        url, deadline, seen = None, time.time() + 90, []
        while url is None and time.time() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line)
            match = re.search(rf"(http://127\.0\.0\.1:{port}/lab\?token=\w+)", line)
            url = match.group(1) if match else None
        assert url, "no URL printed:\n" + "".join(seen[-20:])
        token = url.split("token=")[1]
        api = f"http://127.0.0.1:{port}/api"
        specs = None
        while specs is None and time.time() < deadline:  # the URL is printed as the server starts
            try:
                with urllib.request.urlopen(f"{api}/kernelspecs?token={token}", timeout=10) as response:
                    specs = json.load(response)
            except OSError:
                time.sleep(0.5)
        assert specs is not None, "JupyterLab printed its URL but never answered"
        assert specs["default"] == "quanzhou-forecast"
        with urllib.request.urlopen(f"{api}/contents?token={token}", timeout=10) as response:
            names = {item["name"] for item in json.load(response)["content"]}
        assert "01_population_projection.ipynb" in names and "99_scenario_explorer.ipynb" in names
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
