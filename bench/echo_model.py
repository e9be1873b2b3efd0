"""The floor: a pyfunc with the recommender's input schema and params that returns its input.

Models-from-code: bench/run.py saves this file with mlflow.pyfunc.save_model, so serving it
pays exactly MLflow's own per-request cost (parsing, schema enforcement, JSON out).
"""

import mlflow


class EchoModel(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return model_input


mlflow.models.set_model(EchoModel())
