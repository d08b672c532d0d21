"""The package as a user gets it: `python -m build` makes a wheel (from an sdist, away from
this repository) that carries the component, and that wheel, installed into a fresh venv
with nothing else of ours, runs both stores against dynalite."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import venv
import zipfile
from pathlib import Path

from conftest import TEST_ACCESS_KEY, TEST_SECRET, unique_table

PACKAGE = Path(__file__).resolve().parents[1]

ROUND_TRIP = """
import asyncio, sys
import jovo_dynamodb
from jovo_dynamodb import AsyncDynamoDbStore, DynamoDbStore

endpoint, table, key, secret = sys.argv[1:]
assert "site-packages" in jovo_dynamodb.__file__, jovo_dynamodb.__file__
store = DynamoDbStore(table, endpoint=endpoint, credentials=(key, secret))
store.save_user("wheel-user", {"user": {"data": {"installed": "wheel"}}})

async def main():
    async with AsyncDynamoDbStore(table, endpoint=endpoint, credentials=(key, secret)) as async_store:
        return await async_store.load_user("wheel-user")

print(asyncio.run(main())["user"]["data"]["installed"])
"""


def test_the_wheel_carries_the_component_and_works_in_a_fresh_venv(dynalite, tmp_path):
    dist = tmp_path / "dist"
    built = subprocess.run([sys.executable, "-m", "build", "--outdir", str(dist), str(PACKAGE)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    [wheel] = dist.glob("jovo_dynamodb-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert archive.getinfo("jovo_dynamodb/component.wasm").file_size > 100_000

    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    installed = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
                               capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stderr[-2000:]

    script = tmp_path / "round_trip.py"
    script.write_text(textwrap.dedent(ROUND_TRIP))
    clean = {name: value for name, value in os.environ.items()
             if not name.startswith(("PYTHON", "JOVO_DYNAMODB", "VIRTUAL_ENV"))}
    clean.update(JOVO_DYNAMODB_CACHE_DIR=str(tmp_path / "cache"), AWS_EC2_METADATA_DISABLED="true")
    ran = subprocess.run([str(python), str(script), dynalite.endpoint, unique_table("wheel"), TEST_ACCESS_KEY, TEST_SECRET],
                         capture_output=True, text=True, cwd=tmp_path, env=clean, timeout=120)
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert ran.stdout.strip() == "wheel"
