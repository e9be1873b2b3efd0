// POST /invocations (relative, so the page works under any path prefix) and readable errors.

const MLFLOW_WRAPPER = /^Failed to predict data [\s\S]*?\.\s*\nError: /;

export class ApiError extends Error {}

// MLflow wraps the model's message as "Failed to predict data '<DataFrame>'. \nError: <message>";
// people only need the message.
export function readableError(message) {
  return String(message ?? "").replace(MLFLOW_WRAPPER, "").trim() || "the server gave no reason";
}

// query: {title} or {description}; params: the API params that are set.
export async function recommend(query, params, signal) {
  let response;
  try {
    response = await fetch("invocations", {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({dataframe_records: [query], params}),
      signal,
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(`Could not reach the server (${error.message}).`);
  }
  const text = await response.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (!response.ok) {
    const message = body && typeof body.message === "string" ? readableError(body.message) : text.slice(0, 300);
    throw new ApiError(response.status >= 500 ? `${message} (HTTP ${response.status})` : message);
  }
  if (!body || !Array.isArray(body.predictions)) {
    throw new ApiError("The server answered without predictions.");
  }
  return body.predictions;
}
