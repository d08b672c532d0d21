"""Build step: bring the built component into the package as `component.wasm`.

All metadata lives in pyproject.toml. This hook only copies the component that
`scripts/build-component.sh` produced (or the file named by `JOVO_DYNAMODB_COMPONENT`) next to
the package's code before setuptools collects package data, so `pip install ./host-tests/python`
ships the very bytes the other hosts embed. A source tree that already holds the copy (an sdist)
builds without the repository.
"""

import os
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

HERE = Path(__file__).resolve().parent
PACKAGED_COMPONENT = HERE / "src" / "jovo_dynamodb" / "component.wasm"
BUILT_COMPONENT = HERE.parent.parent / "build" / "jovo_dynamodb.wasm"


def component_source() -> Path:
    override = os.environ.get("JOVO_DYNAMODB_COMPONENT")
    return Path(override) if override else BUILT_COMPONENT


def bring_component() -> None:
    source = component_source()
    if source.is_file():
        shutil.copyfile(source, PACKAGED_COMPONENT)
    elif not PACKAGED_COMPONENT.is_file():
        raise SystemExit(
            f"the component {source} is missing: build it with scripts/build-component.sh "
            "or set JOVO_DYNAMODB_COMPONENT"
        )


class BuildPyWithComponent(build_py):
    def run(self) -> None:
        bring_component()
        super().run()


class SdistWithComponent(sdist):
    # `python -m build` makes the sdist first and the wheel from it, away from the
    # repository: the sdist must carry the component.
    def run(self) -> None:
        bring_component()
        super().run()


setup(cmdclass={"build_py": BuildPyWithComponent, "sdist": SdistWithComponent})
