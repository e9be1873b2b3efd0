"""Pinned runtime requirements of the logged model (kept equal to pyproject.toml and conda.yaml)."""

MODEL_REQUIREMENTS = (
    "mlflow==3.17.2",
    "scikit-learn==1.9.1",
    "pandas==3.1.1",
    "numpy==2.4.6",
    "scipy==1.17.1",
    "cloudpickle==3.1.2",
    "PyStemmer==3.1.0",
)
