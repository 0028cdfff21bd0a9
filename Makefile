.DEFAULT_GOAL := help
.PHONY: help install demo test lint typecheck check bench wheel clean

help: ## Show this help
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}'

install: ## Install the project and dev tools into .venv (uv)
	uv sync

demo: ## Run the main job on the embedded default (seed, index, scan, missions)
	uv run missions demo

test: ## Run the test suite (same command as CI and the README)
	python3 -m uv run pytest

lint: ## ruff: lint and format check
	uv run ruff check .
	uv run ruff format --check .

typecheck: ## mypy over the ai_missions namespace
	uv run python scripts/namespace_tree.py
	uv run mypy

check: lint typecheck test ## Everything CI cares about

bench: ## Print every benchmark's figures (bench/*.py)
	@for f in bench/[!_]*.py; do echo "== $$f"; uv run python $$f || exit 1; done

wheel: ## Build the wheel into dist/
	uv build --wheel

clean: ## Remove build output and local state
	rm -rf build dist .typecheck .missions
