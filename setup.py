"""Only the package list: desktop/ holds the code and resources/ becomes hearth.resources (see pyproject.toml)."""

from setuptools import find_packages, setup

setup(packages=[*find_packages("desktop", include=["hearth*"]), "hearth.resources"])
