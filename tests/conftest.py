"""Shared fixtures: the sample plan, temporary folders, LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import settings

from xltools.plan import Plan

# CI machines are shared and slow at times: judge properties, not speed (no timing
# assertions, DEVELOPERS.md), and derandomise so a run is reproducible.
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_PLAN = ROOT / "workbook_templates" / "sample_plan.json"
SEEDS = ROOT / "tests" / "fixtures" / "seeds"

# postgres_cluster and history_url: a throwaway PostgreSQL for the history tests
pytest_plugins = ("pg_cluster",)


@pytest.fixture
def plan() -> Plan:
    return Plan.load(SAMPLE_PLAN)


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture
def soffice():
    """Path of LibreOffice; `make test` installs it, so there it must exist."""
    from pg_cluster import missing  # a plugin (pytest_plugins): imported once pytest has it

    path = soffice_path()
    if path is None:
        missing("LibreOffice (soffice)", "XLTOOLS_REQUIRE_SOFFICE",
                "apt-get install libreoffice-calc-nogui")
    return path


def convert(soffice: str, path: Path, fmt: str, outdir: Path) -> Path:
    """Convert a workbook with LibreOffice headless; return the output file."""
    profile = outdir / "lo-profile"
    cmd = [soffice, f"-env:UserInstallation=file://{profile}", "--headless",
           "--convert-to", fmt, "--outdir", str(outdir), str(path)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=180)
    out = outdir / (path.stem + "." + fmt.split(":")[0])
    assert out.exists(), f"LibreOffice did not write {out}"
    return out


@pytest.fixture
def cycle(tmp_path, plan):
    """A master (tests/returns_data.py) and its issued returns, all still empty."""
    from returns_data import write_master

    from xltools.cycle.returns import issue_returns

    master = write_master(plan, tmp_path / "master.xlsx")
    issue_returns(master, tmp_path / "returns")
    return master, tmp_path / "returns"
