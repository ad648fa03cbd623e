# Two commands do all the set-up on a fresh machine:
#   make run    create .venv, install Hearth and everything it needs, start the app
#   make test   the same environment plus the test tools, then every check CI runs
# Maintainers: make package builds the double-click app for this OS into dist/ (PyInstaller), and
# make package-test builds it and runs its self-test, as CI does.
# llama-cpp-python is compiled from source when no wheel fits (about 5 minutes on 2 cores; pip caches it).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.hearth-installed
PACKAGE_STAMP := $(VENV)/.hearth-package-tools
UNAME  := $(shell uname -s)

.PHONY: run test lint pytest bench package package-test clean

run: $(STAMP)
	$(BIN)/hearth

test: lint pytest

lint: $(STAMP)
	$(BIN)/ruff check desktop tests bench
	$(BIN)/ruff format --check desktop tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

pytest: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

# One folder, dist/hearth/ (and dist/Hearth.app on macOS); then the per-OS archive or installer.
package: $(PACKAGE_STAMP)
	$(BIN)/pyinstaller packaging/hearth.spec --noconfirm --clean --log-level WARN
ifeq ($(UNAME),Linux)
	packaging/linux/make_tarball.sh
endif
ifeq ($(UNAME),Darwin)
	packaging/macos/make_dmg.sh --skip-build
endif

# The frozen app checks itself end to end (engine, documents, Hub download, window) with no display.
package-test: package
	QT_QPA_PLATFORM=offscreen dist/hearth/hearth --self-test

$(PACKAGE_STAMP): $(STAMP)
	$(BIN)/python -m pip install -e '.[test,package]'
	touch $(PACKAGE_STAMP)

$(STAMP): pyproject.toml setup.py
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Hearth needs Python 3.11 or newer: make PYTHON=python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) build dist *.egg-info desktop/*.egg-info
