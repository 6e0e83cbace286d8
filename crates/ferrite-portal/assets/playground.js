// Mounts GraphiQL (vendored UMD build) on #graphiql, for the Playground (with the token of the app
// chosen) and for GET /graphql (with none: one is pasted into Headers, or given as #token=…).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("graphiql");
  if (!root || !window.GraphiQL || !window.React || !window.ReactDOM) return;
  const { endpoint } = root.dataset;
  const token = root.dataset.token || new URLSearchParams(window.location.hash.slice(1)).get("token") || "";
  const headers = JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2);
  const fetcher = window.GraphiQL.createFetcher({ url: endpoint });
  const where = token ? "The token of the app chosen above is in Headers below." : "Put an access token in Headers below.";
  const defaultQuery = [
    `# Run with the button or Ctrl+Enter. ${where}`,
    "query Search {",
    "  supSearchMpn(q: \"LM358\", limit: 3) {",
    "    hits",
    "    results { part { mpn manufacturer { name } shortDescription } }",
    "  }",
    "}",
    "",
  ].join("\n");
  // The query outlives a switch of the app it runs as (a new page, with that app's token) for as
  // long as the browser tab: kept in sessionStorage, apart from GraphiQL's own storage.
  const KEPT = "ferrite-playground-query";
  const kept = window.sessionStorage.getItem(KEPT);
  window.ReactDOM.createRoot(root).render(
    window.React.createElement(window.GraphiQL, {
      fetcher,
      defaultQuery,
      query: kept ?? undefined,
      onEditQuery: (query) => window.sessionStorage.setItem(KEPT, query),
      headers,
      defaultEditorToolsVisibility: "headers",
      shouldPersistHeaders: false,
      // A stale token from an earlier visit must not be restored over the fresh one.
      storage: { getItem: () => null, setItem: () => {}, removeItem: () => {}, clear: () => {}, length: 0 },
    }),
  );
});
