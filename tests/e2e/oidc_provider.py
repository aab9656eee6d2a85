"""A real OpenID Connect provider for the single sign-on tests: the npm package
oidc-provider (pinned in tests/e2e/oidc) run by tests/e2e/oidc/provider.mjs on a free
loopback port, with static clients and test accounts."""

from __future__ import annotations

import json
import os
import selectors
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_DIR = ROOT / "tests" / "e2e" / "oidc"
PROVIDER_PASSWORD = "provider-password"


class OidcProvider:
    """``node provider.mjs`` with the given clients and accounts; ``issuer`` once started."""

    def __init__(self, log: Path, *, clients: list[dict], accounts: dict[str, dict]):
        self.log = log
        self.config = {"port": 0, "password": PROVIDER_PASSWORD, "clients": clients, "accounts": accounts}
        self.issuer = ""
        self.process: subprocess.Popen | None = None

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def start(self, timeout: float = 30) -> None:
        subprocess.run([str(ROOT / "scripts" / "ensure-oidc")], check=True)
        node = shutil.which("node") or "node"
        env = {**os.environ, "OIDC_TEST_CONFIG": json.dumps(self.config)}
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [node, "provider.mjs"], cwd=PROVIDER_DIR, env=env, stdout=subprocess.PIPE, stderr=log, text=True
            )
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        while not self.issuer and time.monotonic() < deadline:
            if selector.select(timeout=0.5):
                line = self.process.stdout.readline()
                if line.startswith("listening "):
                    self.issuer = line.split()[1]
                elif not line:
                    break
        selector.close()
        if not self.issuer:
            self.stop()
            raise RuntimeError(f"the test OpenID Connect provider did not start:\n{self.log.read_text()}")
        with urllib.request.urlopen(self.metadata_url, timeout=10) as reply:  # noqa: S310
            assert json.load(reply)["issuer"] == self.issuer

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self.process and self.process.stdout:
            self.process.stdout.close()


def auth_secrets(
    portal_url: str, provider: OidcProvider, *, client_id: str, client_secret: str, prompt: str | None
) -> str:
    """The secrets.toml of a portal that signs people in through ``provider``."""
    lines = [
        "[auth]",
        f'redirect_uri = "{portal_url}/oauth2callback"',
        f'cookie_secret = "{"c" * 48}"',
        f'client_id = "{client_id}"',
        f'client_secret = "{client_secret}"',
        f'server_metadata_url = "{provider.metadata_url}"',
    ]
    if prompt is not None:
        lines.append(f'client_kwargs = {{ prompt = "{prompt}" }}')
    return "\n".join(lines) + "\n"
