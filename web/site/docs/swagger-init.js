// Swagger UI over openapi.json. "Try it out" goes to this server first: the directory
// above /docs/ (the same origin, and the same path prefix if there is one); the document's
// own servers (e.g. `make serve` on 127.0.0.1:5000) stay selectable after it.
(async () => {
  const spec = await (await fetch("openapi.json")).json();
  const here = new URL("../", window.location.href).href.replace(/\/$/, "");
  spec.servers = [{url: here, description: "this server"},
                  ...(spec.servers || []).filter((server) => server.url !== here)];
  window.ui = SwaggerUIBundle({spec, dom_id: "#swagger-ui", deepLinking: true});
})();
