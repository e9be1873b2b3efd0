"""Pinned runtime requirements of the logged model.

The same pins are in pyproject.toml and conda.yaml; those also hold what only training needs
(TRAINING_ONLY). tests/test_packaging.py keeps the three consistent.
"""

MODEL_REQUIREMENTS = (
    "mlflow==3.17.2",
    "scikit-learn==1.9.1",
    "pandas==3.1.1",
    "numpy==2.4.6",
    "scipy==1.17.1",
    "cloudpickle==3.1.2",
    "PyStemmer==3.1.0",
    "onnxruntime==1.32.0",
    "tokenizers==0.23.3",
    "faiss-cpu==1.15.1",
    "threadpoolctl==3.8.0",
)

# Installed for training but never needed by the served model: charts, HTTP client, the ONNX graph builder.
TRAINING_ONLY = ("matplotlib", "requests", "onnx")
