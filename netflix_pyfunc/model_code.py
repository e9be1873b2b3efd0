"""Models-from-code entry point: MLflow executes this file to build the pyfunc."""

import mlflow

from netflix_pyfunc.model import RecommenderModel

mlflow.models.set_model(RecommenderModel())
