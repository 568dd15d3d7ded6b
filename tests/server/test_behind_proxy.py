"""Behind a real reverse proxy (nginx on loopback), limits count each person, not the proxy.

People are told apart by the loopback address they connect from (127.0.0.2, 127.0.0.3...):
nginx sees each one's address and appends it to X-Forwarded-For, as in production.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time

import httpx
import pytest

from running import Running, free_port, migrated_environment

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
pytestmark = pytest.mark.skipif(
    not os.path.exists(NGINX), reason="nginx is not installed (apt-get install nginx-light)"
)

CONFIG = """
worker_processes 1;
daemon off;
{user}
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    """`ventanilla run --demo` told it is behind a proxy, and nginx in front of it."""
    folder = tmp_path_factory.mktemp("proxy")
    environment = migrated_environment(folder / "home")
    env = next(environment)
    server = Running({**env, "VENTANILLA_BEHIND_PROXY": "true"}, "--demo")
    port = free_port()
    user = "user root;" if os.geteuid() == 0 else ""
    config = folder / "nginx.conf"
    config.write_text(CONFIG.format(user=user, folder=folder, port=port, upstream=server.port))
    nginx = subprocess.Popen(
        [NGINX, "-p", str(folder), "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            if httpx.get(url + "/api/v1/health", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert nginx.poll() is None, (folder / "error.log").read_text()
        assert time.monotonic() < deadline, "nginx did not come up"
        time.sleep(0.2)
    yield url, server
    nginx.terminate()
    nginx.wait(timeout=20)
    server.stop()
    next(environment, None)


def person(address: str) -> httpx.Client:
    """A browser on its own address."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=10)


def try_code(browser: httpx.Client, url: str, reference: str, **headers: str) -> int:
    """Ask for a request's answer with a wrong code, as the follow-up form does."""
    form = browser.get(url + "/help/demo/follow-up/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    return browser.post(
        url + "/help/demo/follow-up/",
        data={"csrfmiddlewaretoken": token, "reference": reference, "code": "AAAA-BBBB-CCCC"},
        headers=headers,
    ).status_code


def test_wrong_codes_lock_out_the_person_who_guesses_not_everybody(proxied):
    url, _server = proxied
    guesser, other = person("127.0.0.2"), person("127.0.0.3")
    assert [try_code(guesser, url, "VT-2026-000901") for _ in range(5)] == [200] * 5
    assert try_code(guesser, url, "VT-2026-000902") == 429
    # Writing another address in X-Forwarded-For does not get around the limit...
    assert try_code(guesser, url, "VT-2026-000903", **{"X-Forwarded-For": "127.0.0.77"}) == 429
    # ...and someone else behind the same proxy is not locked out.
    assert try_code(other, url, "VT-2026-000904") == 200


def test_new_web_chats_are_counted_per_person(proxied):
    url, server = proxied
    webchat = re.search(r"Demo web chat: http://[^/]+(/\S+)", server.output).group(1)
    crowded, newcomer = person("127.0.0.4"), person("127.0.0.5")
    answers = [crowded.post(f"{url}{webchat}session").status_code for _ in range(31)]
    assert answers[:30] == [201] * 30 and answers[30] == 429
    assert newcomer.post(f"{url}{webchat}session").status_code == 201


def test_without_a_proxy_forwarded_addresses_are_not_believed(tmp_path):
    """Straight to `ventanilla run` (no proxy configured), X-Forwarded-For changes nothing."""
    environment = migrated_environment(tmp_path / "home")
    server = Running(next(environment), "--demo")
    try:
        browser = person("127.0.0.6")
        codes = [
            try_code(browser, server.url, f"VT-2026-00091{i}", **{"X-Forwarded-For": f"10.0.0.{i}"})
            for i in range(6)
        ]
        assert codes == [200] * 5 + [429]
    finally:
        server.stop()
        next(environment, None)
