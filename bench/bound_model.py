"""The bound: the least a model that embeds each wish per request costs, served like the champion.

A pyfunc that reads the champion's own artifacts and, per row, embeds the description (the title
when there is none) with the champion's sentence encoder, scores every title with the champion's
int8 dense product and returns the best k as records of the champion's item columns. No TF-IDF,
no people or intent, no filters, no reasons. bench/run.py serves it beside the floor and the
champion for description queries: no model that encodes each wish can answer them faster than
this one here, so its ratio to the floor bounds the champion's from below.

Models-from-code: bench/run.py saves this file with the champion's artifacts and package.
"""

import mlflow
import numpy as np
from threadpoolctl import threadpool_limits

from netflix_pyfunc.model import ARTIFACT_KEY, ENCODER_KEY, load_recommender


class EncoderBound(mlflow.pyfunc.PythonModel):
    def load_context(self, context):
        recommender = load_recommender(context.artifacts[ARTIFACT_KEY], context.artifacts[ENCODER_KEY])
        self.encoder = recommender.semantic_.encoder
        self.product = recommender.index_.dense_.quantize()
        self.items = recommender.items_   # the champion's own item columns, release_year included
        threadpool_limits(limits=1, user_api="blas")  # as the champion serves

    def predict(self, context, model_input, params=None):
        k = int((params or {}).get("k") or 10)
        texts = [description if isinstance(description, str) and description else title
                 for title, description in zip(_column(model_input, "title"), _column(model_input, "description"))]
        scores, _, _ = self.product.approximate(self.encoder.encode(texts))
        records = []
        for row, row_scores in enumerate(scores):
            top = np.argpartition(-row_scores, k)[:k]
            top = top[np.argsort(-row_scores[top], kind="stable")]
            values = zip(*(column[top].tolist() for column in self.items.values()))
            records.extend({"row": row, "rank": rank, **dict(zip(self.items, item)), "score": round(score, 6)}
                           for rank, (item, score) in enumerate(zip(values, row_scores[top].tolist()), start=1))
        return records


def _column(frame, name):
    return frame[name].tolist() if name in frame.columns else [None] * len(frame)


mlflow.models.set_model(EncoderBound())
