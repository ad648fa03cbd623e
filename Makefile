# Two commands do all the set-up on a fresh machine:
#   make run    create .venv, install Hearth and everything it needs, start the app
#   make test   the same environment plus the test tools, then every check CI runs
# Maintainers: make package builds the double-click app for this OS into dist/ (PyInstaller), and
# make package-test builds it and runs its self-test, as CI does.
# llama-cpp-python is compiled from source, portable (no -march=native) and for LLAMA_BACKEND (cpu by default; cuda,
# metal, vulkan): about 5 minutes on 2 cores, once; the wheel is kept in build/llama-wheels/ (packaging/llama_backend.sh).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.hearth-installed
UNAME_M := $(shell uname -m)
ifeq ($(shell uname -s)-$(UNAME_M),Darwin-arm64)
LLAMA_BACKEND ?= metal
else
LLAMA_BACKEND ?= cpu
endif
PACKAGE_VENV  ?= .venv-package
PACKAGE_BIN   := $(PACKAGE_VENV)/bin
PACKAGE_STAMP := $(PACKAGE_VENV)/.hearth-llama-$(LLAMA_BACKEND)
UNAME  := $(shell uname -s)
SHELL_SCRIPTS := packaging/*.sh packaging/linux/*.sh packaging/linux/appimage/AppRun packaging/macos/*.sh .ci/run

.PHONY: run test lint pytest bench package package-test clean

run: $(STAMP)
	$(BIN)/hearth

test: lint pytest

lint: $(STAMP)
	$(BIN)/ruff check desktop tests bench packaging
	$(BIN)/ruff format --check desktop tests bench packaging
	$(BIN)/lint-imports
	$(BIN)/mypy
	@if command -v shellcheck >/dev/null; then shellcheck -x $(SHELL_SCRIPTS) && echo "shellcheck: ok"; \
	else echo "shellcheck not installed: the packaging scripts were not linted (CI installs it)"; fi

pytest: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

# One folder, dist/hearth/ (and dist/Hearth.app on macOS); then the per-OS archive or installer. It is built in
# its own environment, .venv-package, whose llama.cpp is compiled for any CPU (the development one uses
# -march=native) and for LLAMA_BACKEND: cpu (default), cuda, metal or vulkan (see packaging/llama_backend.sh).
package: $(PACKAGE_STAMP)
	$(PACKAGE_BIN)/pyinstaller packaging/hearth.spec --noconfirm --clean --log-level WARN
ifeq ($(UNAME),Linux)
	HEARTH_FLAVOUR=$(LLAMA_BACKEND) packaging/linux/make_tarball.sh
endif
ifeq ($(UNAME),Darwin)
	packaging/macos/make_dmg.sh --skip-build
endif

# The frozen app checks itself end to end (engine, documents, Hub download, window) with no display.
# On Linux the tarball is then installed into a throw-away HOME and self-tested through the installed link, and
# the AppImage's AppDir is assembled and self-tested through its AppRun (appimagetool, if installed, packs it).
package-test: package
	QT_QPA_PLATFORM=offscreen dist/hearth/hearth --self-test
ifeq ($(UNAME),Linux)
	packaging/linux/check_tarball.sh "$$(ls -t dist/Hearth-*-linux-*.tar.gz | head -n 1)"
	HEARTH_FLAVOUR=$(LLAMA_BACKEND) packaging/linux/make_appimage.sh
	QT_QPA_PLATFORM=offscreen dist/Hearth.AppDir/AppRun --self-test
endif

$(PACKAGE_STAMP): pyproject.toml setup.py packaging/llama_backend.sh
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Hearth needs Python 3.11 or newer: make PYTHON=python3.11")'
	test -x $(PACKAGE_BIN)/python || $(PYTHON) -m venv $(PACKAGE_VENV)
	$(PACKAGE_BIN)/python -m pip install --upgrade pip
	rm -f $(PACKAGE_VENV)/.hearth-llama-*
	packaging/llama_backend.sh $(LLAMA_BACKEND) $(PACKAGE_VENV)
	$(PACKAGE_BIN)/python -m pip install -e '.[package]'
	touch $(PACKAGE_STAMP)

$(STAMP): pyproject.toml setup.py packaging/llama_backend.sh
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Hearth needs Python 3.11 or newer: make PYTHON=python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	packaging/llama_backend.sh $(LLAMA_BACKEND) $(VENV)
	$(BIN)/python -m pip install -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) $(PACKAGE_VENV) build dist *.egg-info desktop/*.egg-info
