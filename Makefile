# Two commands do all the set-up on a fresh machine (see README.md):
#   make demo   installs the package and runs `seisgrow demo` on the synthetic sample
#   make test   installs the test tools and runs the whole suite (ruff + pytest under Xvfb)
PYTHON ?= python3
VENV ?= .venv
TORCH ?= torch==2.13.0
DEMO_OUT ?= demo-out
BIN := $(VENV)/bin

.PHONY: demo test install install-test lint clean

demo: install
	$(BIN)/seisgrow demo $(DEMO_OUT)

test: install-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -q

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# torch goes in first, pinned, so that nothing later pulls a multi-GB CUDA build on a CPU box.
$(VENV)/.installed: pyproject.toml
	bash scripts/apt-deps.sh demo
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q "$(TORCH)"
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	bash scripts/apt-deps.sh test
	$(BIN)/python -m pip install -q -e ".[testing,bench]"
	touch $@

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache .ruff_cache
