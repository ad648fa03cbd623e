"""Only the package list: desktop/ holds the code and resources/ becomes hearth.resources (see pyproject.toml)."""

from pathlib import Path

from setuptools import find_packages, setup

# Resource folders are data-only packages; listing them keeps setuptools from warning and ships every file.
resource_folders = sorted(p.name for p in Path("resources").iterdir() if p.is_dir() and not p.name.startswith("_"))
setup(
    packages=[
        *find_packages("desktop", include=["hearth*"]),
        "hearth.resources",
        *(f"hearth.resources.{name}" for name in resource_folders),
    ]
)
