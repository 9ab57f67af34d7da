// Search: results open their code here, and "Show in graph" opens the node in the graph view.

import { api, repoPath } from "./api.js";
import { $, el, clear, fmt, renderCode, showMessage } from "./util.js";

export class SearchView {
  constructor(ctx) {
    this.ctx = ctx; // { repo(), focusNode(id), focusChunk(chunkId) }
    this.selected = null;
    $("#search-form").addEventListener("submit", (e) => { e.preventDefault(); this.run(); });
    $("#search-show-graph").addEventListener("click", () => this.showInGraph());
  }

  async run() {
    const q = $("#search-input").value.trim();
    if (!q) return;
    const repo = this.ctx.repo();
    const params = { q, mode: $("#search-mode").value, limit: 20 };
    if (!$("#search-all").checked && repo) params.repository = repo;
    $("#search-status").textContent = "searching…";
    const started = performance.now();
    let data;
    try {
      data = await api.get("/api/search", params);
    } catch (error) {
      $("#search-status").textContent = "";
      showMessage(`Search: ${error.message}`);
      return;
    }
    const results = data.results || [];
    $("#search-status").textContent = `${results.length} results in ${Math.round(performance.now() - started)} ms`;
    const list = clear($("#search-results"));
    results.forEach((r, i) => {
      const item = el("li", { class: "result", dataset: { chunkId: String(r.chunk_id ?? r.id) } },
        el("a", { href: "#", class: "result-title", text: r.qualified_name || r.name,
          onclick: (e) => { e.preventDefault(); this.open(r); } }),
        el("span", { class: "kind", text: r.kind }),
        el("div", { class: "muted", text: `${r.repository ? r.repository + ": " : ""}${r.file_path}:${r.start_line}-${r.end_line}  ·  score ${fmt(r.score, 3)}` }),
        r.snippet ? el("pre", { class: "snippet", text: r.snippet }) : null);
      list.append(item);
      if (i === 0) item.classList.add("first");
    });
    if (!results.length) list.append(el("li", { class: "muted", text: "No results." }));
    document.body.dataset.searchDone = String(Date.now());
  }

  async open(result) {
    const chunkId = result.chunk_id ?? result.id;
    let chunk;
    try {
      chunk = await api.get(`/api/chunks/${encodeURIComponent(chunkId)}`);
    } catch (error) {
      showMessage(`Chunk: ${error.message}`);
      return;
    }
    this.selected = chunk;
    $("#search-detail").hidden = false;
    $("#search-detail-title").textContent = chunk.qualified_name;
    $("#search-detail-sub").textContent = `${chunk.repository}: ${chunk.path}:${chunk.start_line}-${chunk.end_line} · ${chunk.kind}`;
    $("#search-show-graph").disabled = chunk.node_id === null || chunk.node_id === undefined;
    renderCode($("#search-code"), chunk.source, chunk.start_line);
  }

  async showInGraph() {
    const chunk = this.selected;
    if (!chunk || chunk.node_id === null || chunk.node_id === undefined) return;
    if (chunk.repository !== this.ctx.repo()) await this.ctx.selectRepo(chunk.repository, { load: false });
    await this.ctx.focusNode(chunk.node_id);
  }
}
