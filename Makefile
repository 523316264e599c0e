# Two commands a new user needs (see README.md):
#   make report   set up .venv if needed, then run every notebook for every unit into reports/
#   make test     set up .venv if needed, then run the whole test suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
KERNEL := quanzhou-forecast
ARGS   ?=
# uv is only the installer; pinned like every dependency (the same release the timings were measured with).
UV_VERSION := 0.13.9

.PHONY: setup report test validate bench lab clean-reports help

help:
	@echo "make report   - set up and run the full forecast (all units, all notebooks)"
	@echo "make test     - set up and run the test suite"
	@echo "make validate - check every raw data file"
	@echo "make bench    - print performance figures"
	@echo "make lab      - start JupyterLab on the project kernel"

setup: $(STAMP)

# Re-install only when the pinned dependencies change. uv (pip-installed into the venv) installs
# the same pins several times faster, with pip's index settings (tools/uv_install.py); if uv
# cannot be installed or fails, pip does it. NO_UV=1 forces pip.
$(STAMP): pyproject.toml tools/uv_install.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@if [ -z "$(NO_UV)" ] && $(PY) -m pip install --quiet "uv==$(UV_VERSION)" && $(PY) tools/uv_install.py --quiet -e '.[test]'; then \
	  echo "installed with uv"; \
	else \
	  echo "installing with pip"; \
	  $(PY) -m pip install --quiet --upgrade pip && $(PY) -m pip install --quiet -e '.[test]'; \
	fi
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (泉州民政预测 quanzhou-forecast)"
	$(PY) -m compileall -q src  # the package's own bytecode (an editable install is not compiled)
	touch $(STAMP)

# Printing the PDFs needs Chromium and the CJK font (Debian's chromium, fonts-noto-cjk — what the
# browser tests install): installed here with apt-get when run as root, otherwise one line says how;
# never fails the build (src/analysis/run/print_setup.py). NO_PRINT_SETUP=1 skips the step.
report: $(STAMP)
	@if [ -z "$(NO_PRINT_SETUP)" ]; then $(PY) -m analysis.run.print_setup || true; fi
	$(PY) -m analysis run $(ARGS)

# ruff (lint rules and format in pyproject.toml) first: a lint or format error fails the tests in seconds.
test: $(STAMP)
	$(PY) -m ruff check src tests tools benchmarks
	$(PY) -m ruff format --check src tests tools benchmarks
	$(PY) -m pytest $(ARGS)

validate: $(STAMP)
	$(PY) -m analysis validate

bench: $(STAMP)
	$(PY) benchmarks/run.py $(ARGS)

# JupyterLab refuses to run as root unless told; containers and CI machines often are root.
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)
LAB_PORT ?= 8888

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --no-browser $(LAB_ROOT) --ServerApp.root_dir=notebooks \
	  --MappingKernelManager.default_kernel_name=$(KERNEL) --ip=127.0.0.1 --port=$(LAB_PORT)
