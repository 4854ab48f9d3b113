# Conveniences over the two README commands; CI runs scripts/test.py directly.
.PHONY: run test lint fmt bench
run:
	python3 scripts/serve.py
test:
	python3 scripts/test.py
lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
fmt:
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .
