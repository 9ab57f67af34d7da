// The graph view: Cytoscape.js over a bounded slice of the repository's graph.
// The server sends at most `limit` nodes (top PageRank, a neighbourhood, or modules), so the
// browser never holds a whole large repository; node size follows PageRank, colour the kind
// or module; clicking a node opens its code, callers, callees and metrics.

import { api, repoPath } from "./api.js";
import { $, el, clear, fmt, renderCode, showMessage } from "./util.js";

const KIND_COLOURS = {
  function: "#4e79a7", method: "#59a14f", class: "#e15759", interface: "#b07aa1",
  type: "#9c755f", enum: "#edc948", module: "#f28e2b", file: "#f28e2b", external: "#bab0ac",
};
const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
  "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#17becf", "#bcbd22", "#8c564b", "#d62728"];
const EDGE_COLOURS = { calls: "#8a94a6", imports: "#f28e2b", inherits: "#e15759", extends: "#e15759",
  implements: "#b07aa1", contains: "#c8ccd4", references: "#76b7b2" };

export class GraphView {
  constructor(ctx) {
    this.ctx = ctx; // { repo(): string|null, openTab(name), onNodeShown? }
    this.cy = null;
    this.current = null; // the node id whose panel is open
    this.lastLoad = null; // { kind, params } to reload
    this.colourBy = "kind";
    this.moduleColours = new Map();
    this.bind();
  }

  bind() {
    $("#graph-reload").addEventListener("click", () => this.loadDefault());
    $("#graph-view").addEventListener("change", () => this.loadDefault());
    $("#graph-fit").addEventListener("click", () => this.cy && this.cy.fit(undefined, 30));
    $("#graph-colour").addEventListener("change", (e) => { this.colourBy = e.target.value; this.recolour(); });
    $("#graph-layout").addEventListener("change", () => this.layout());
    $("#node-close").addEventListener("click", () => { $("#node-panel").hidden = true; });
    $("#node-expand").addEventListener("click", () => this.current && this.loadNeighbourhood(this.current));
    $("#node-impact").addEventListener("click", () => this.current && this.showImpact(this.current));
  }

  ensureCy() {
    if (this.cy) return this.cy;
    if (typeof window.cytoscape !== "function") {
      throw new Error("Cytoscape.js is not loaded: run `npm ci --prefix src/mnemo/web` and reload");
    }
    this.cy = window.cytoscape({
      container: $("#cy"),
      minZoom: 0.05,
      maxZoom: 4,
      wheelSensitivity: 0.3,
      // Keep panning smooth on large slices: draw a bitmap while the viewport moves.
      textureOnViewport: true,
      hideEdgesOnViewport: true,
      motionBlur: false,
      style: [
        { selector: "node", style: {
          "background-color": "data(colour)", width: "data(size)", height: "data(size)",
          label: "data(label)", "font-size": 10, "min-zoomed-font-size": 7, color: "#1d2330",
          "text-valign": "bottom", "text-margin-y": 2, "text-outline-color": "#fff", "text-outline-width": 1.5,
          "border-width": 0,
        } },
        { selector: "node[?module_node]", style: { shape: "round-rectangle" } },
        { selector: "node:selected", style: { "border-width": 3, "border-color": "#111" } },
        { selector: "node.focus", style: { "border-width": 4, "border-color": "#d62728" } },
        { selector: "node.faded, edge.faded", style: { opacity: 0.15 } },
        { selector: "edge", style: {
          width: "data(width)", "line-color": "data(colour)", "target-arrow-color": "data(colour)",
          "target-arrow-shape": "triangle", "arrow-scale": 0.7, "curve-style": "haystack", opacity: 0.7,
        } },
        { selector: "edge.directed", style: { "curve-style": "bezier" } },
      ],
    });
    this.cy.on("tap", "node", (event) => this.openNode(event.target.id()));
    this.cy.on("mouseover", "node", (event) => this.highlight(event.target));
    this.cy.on("mouseout", "node", () => this.cy.elements().removeClass("faded"));
    return this.cy;
  }

  reset() {
    if (this.cy) this.cy.elements().remove();
    $("#node-panel").hidden = true;
    this.setStatus(null);
  }

  async loadDefault() {
    const view = $("#graph-view").value;
    if (view === "modules") return this.loadModules();
    return this.loadOverview();
  }

  limit() {
    const value = parseInt($("#graph-limit").value, 10);
    return Number.isFinite(value) ? Math.min(500, Math.max(10, value)) : 150;
  }

  async loadOverview() {
    const repo = this.ctx.repo();
    if (!repo) return;
    await this.load(repoPath(repo, "/graph"), { limit: this.limit() }, "overview");
  }

  async loadModules() {
    const repo = this.ctx.repo();
    if (!repo) return;
    await this.load(repoPath(repo, "/graph/modules"), { limit: this.limit() }, "modules");
  }

  async loadNeighbourhood(nodeId, depth) {
    const repo = this.ctx.repo();
    if (!repo) return;
    const d = depth || parseInt($("#node-depth").value, 10) || 2;
    await this.load(repoPath(repo, `/graph/nodes/${encodeURIComponent(nodeId)}/neighbourhood`),
      { depth: d, limit: Math.max(this.limit(), 200) }, "neighbourhood", nodeId);
  }

  async load(path, params, kind, focusId) {
    const started = performance.now();
    this.setStatus("loading…");
    let data;
    try {
      data = await api.get(path, params);
    } catch (error) {
      this.setStatus(null);
      showMessage(`Graph: ${error.message}`);
      return;
    }
    this.lastLoad = { path, params, kind };
    const fetched = performance.now();
    this.render(data, kind, focusId);
    const done = performance.now();
    // Read by benchmarks/ui_render.py: where the time goes (network + JSON vs. layout + draw).
    window.__mnemoTimings = { fetch_ms: fetched - started, render_ms: done - fetched, total_ms: done - started,
      nodes: this.cy.nodes().length, edges: this.cy.edges().length };
    document.body.dataset.graphRendered = String(Date.now());
    if (focusId !== undefined) this.openNode(String(focusId));
  }

  render(data, kind, focusId) {
    const cy = this.ensureCy();
    const nodes = data.nodes || [];
    const edges = data.edges || [];
    const maxRank = Math.max(1e-12, ...nodes.map((n) => n.pagerank || 0));
    const ids = new Set(nodes.map((n) => String(n.id)));
    const elements = [];
    for (const n of nodes) {
      const rank = (n.pagerank || 0) / maxRank;
      elements.push({ group: "nodes", data: {
        id: String(n.id), label: n.label || n.name || String(n.id), kind: n.kind, module: n.module || n.path || "",
        pagerank: n.pagerank, size: 14 + Math.sqrt(rank) * 46, colour: "#888", module_node: kind === "modules",
        raw: n,
      } });
    }
    let e = 0;
    for (const edge of edges) {
      const s = String(edge.source), t = String(edge.target);
      if (!ids.has(s) || !ids.has(t) || s === t) continue;
      const type = edge.type || "calls";
      elements.push({ group: "edges", data: {
        id: `e${e++}`, source: s, target: t, type,
        colour: EDGE_COLOURS[type] || "#8a94a6",
        width: Math.min(6, 0.8 + Math.log2(1 + (edge.weight || 1)) * 0.8),
      } });
    }
    cy.batch(() => {
      cy.elements().remove();
      cy.add(elements);
      // Arrows need bezier edges, which cost more to draw: only on small slices.
      if (e < 400) cy.edges().addClass("directed");
    });
    this.recolour();
    this.layout(focusId);
    this.setStatus({ nodes: cy.nodes().length, edges: cy.edges().length, data, kind });
    this.legend();
  }

  layout(focusId) {
    const cy = this.cy;
    if (!cy || cy.nodes().length === 0) return;
    const name = $("#graph-layout").value;
    const n = cy.nodes().length;
    let options;
    if (name === "concentric") {
      options = { name: "concentric", concentric: (node) => node.data("pagerank") || 0, levelWidth: () => 0.0005,
        minNodeSpacing: 6, animate: false };
    } else if (name === "breadthfirst") {
      options = { name: "breadthfirst", directed: true, spacingFactor: 0.9, animate: false,
        roots: focusId !== undefined ? `#${CSS.escape(String(focusId))}` : undefined };
    } else {
      // Bounded work: each cose iteration costs O(n²), so iterations shrink as 1/n (total ~ n) and
      // the cooling schedule is matched to them, so the layout still settles within its budget.
      const iterations = Math.max(100, Math.min(1000, Math.round(60000 / Math.max(n, 1))));
      options = { name: "cose", animate: false, randomize: true, nodeDimensionsIncludeLabels: false,
        numIter: iterations, initialTemp: 1000, minTemp: 1, coolingFactor: Math.pow(0.001, 1 / iterations),
        idealEdgeLength: () => 60, nodeRepulsion: () => 8000, gravity: 0.4, componentSpacing: 60, nodeOverlap: 8 };
    }
    cy.layout(options).run();
    cy.fit(undefined, 30);
    cy.nodes().removeClass("focus");
    if (focusId !== undefined) cy.getElementById(String(focusId)).addClass("focus");
  }

  colourFor(data) {
    if (this.colourBy === "module") {
      const key = topModule(data.module);
      if (!this.moduleColours.has(key)) this.moduleColours.set(key, PALETTE[this.moduleColours.size % PALETTE.length]);
      return this.moduleColours.get(key);
    }
    return KIND_COLOURS[data.kind] || "#888";
  }

  recolour() {
    if (!this.cy) return;
    this.cy.batch(() => this.cy.nodes().forEach((node) => node.data("colour", this.colourFor(node.data()))));
    this.legend();
  }

  legend() {
    const box = clear($("#graph-legend"));
    if (!this.cy) return;
    const seen = new Map();
    this.cy.nodes().forEach((node) => {
      const key = this.colourBy === "module" ? topModule(node.data("module")) : node.data("kind") || "?";
      seen.set(key, node.data("colour"));
    });
    for (const [key, colour] of [...seen.entries()].slice(0, 16)) {
      box.append(el("span", { class: "swatch" }, el("i", { style: `background:${colour}` }), key));
    }
    box.append(el("span", { class: "muted", text: "  size = PageRank; click a node for its code" }));
  }

  highlight(node) {
    const near = node.closedNeighborhood();
    this.cy.elements().not(near).addClass("faded");
  }

  setStatus(info) {
    const status = $("#graph-status");
    if (info === null || typeof info === "string") {
      status.textContent = info || "";
      status.dataset.nodes = "0";
      status.dataset.edges = "0";
      return;
    }
    const total = info.data.total_nodes;
    const shown = `${info.nodes} nodes · ${info.edges} edges`;
    const of = total && total > info.nodes ? ` (of ${fmt(total)} — showing the top by PageRank)` : "";
    const label = info.kind === "neighbourhood" ? `neighbourhood: ${shown}` : info.kind === "modules" ? `modules: ${shown}` : shown + of;
    status.textContent = label;
    status.dataset.nodes = String(info.nodes);
    status.dataset.edges = String(info.edges);
    status.dataset.kind = info.kind;
  }

  async openNode(nodeId) {
    const repo = this.ctx.repo();
    if (!repo) return;
    this.current = nodeId;
    const panel = $("#node-panel");
    panel.hidden = false;
    $("#node-title").textContent = "…";
    clear($("#node-callers")); clear($("#node-callees")); clear($("#node-impact-result"));
    $("#node-code").textContent = "";
    if (this.cy) {
      this.cy.nodes().unselect();
      const target = this.cy.getElementById(String(nodeId));
      if (target.nonempty()) target.select();
    }
    let data;
    try {
      data = await api.get(repoPath(repo, `/graph/nodes/${encodeURIComponent(nodeId)}`));
    } catch (error) {
      $("#node-title").textContent = "";
      showMessage(`Node: ${error.message}`);
      return;
    }
    if (this.current !== nodeId) return; // another click came first
    const node = data.node || {};
    $("#node-title").textContent = node.qualified_name || node.name || String(nodeId);
    $("#node-sub").textContent = [node.kind, node.path && `${node.path}${node.start_line ? `:${node.start_line}-${node.end_line}` : ""}`]
      .filter(Boolean).join(" · ");
    const metrics = $("#node-metrics");
    clear(metrics);
    for (const [label, key] of [["PageRank", "pagerank"], ["Complexity", "complexity"], ["Coupling", "coupling"],
      ["In-degree", "in_degree"], ["Out-degree", "out_degree"], ["Lines", "loc"]]) {
      if (node[key] === undefined) continue;
      metrics.append(el("tr", {}, el("th", { text: label }), el("td", { text: fmt(node[key], 4) })));
    }
    this.fillLinks($("#node-callers"), $("#callers-count"), data.callers || [], data.callers_total);
    this.fillLinks($("#node-callees"), $("#callees-count"), data.callees || [], data.callees_total);
    const chunk = data.chunk;
    if (chunk && chunk.source) renderCode($("#node-code"), chunk.source, chunk.start_line || 1);
    else $("#node-code").textContent = node.kind === "module" ? "(a module: see its definitions in the graph)" : "(no source stored for this node)";
    if (this.ctx.onNodeShown) this.ctx.onNodeShown(node);
  }

  fillLinks(list, counter, items, total) {
    clear(list);
    counter.textContent = `(${fmt(total ?? items.length)})`;
    for (const item of items) {
      const label = item.qualified_name || item.name || String(item.id);
      if (item.id === null || item.id === undefined) {
        // An external, builtin or unresolved call: the name as written, not a node.
        list.append(el("li", { class: "external" }, el("span", { text: label }),
          el("span", { class: "muted", text: ` ${item.resolution || "external"}` })));
        continue;
      }
      list.append(el("li", {}, el("a", {
        href: "#", title: item.path || "", text: label,
        onclick: (e) => { e.preventDefault(); this.focus(item.id); },
      }), item.path ? el("span", { class: "muted", text: ` ${item.path}` }) : null));
    }
  }

  async showImpact(nodeId) {
    const repo = this.ctx.repo();
    const box = clear($("#node-impact-result"));
    const depth = parseInt($("#node-depth").value, 10) || 2;
    try {
      const data = await api.get(repoPath(repo, "/impact"), { symbol: nodeId, depth, limit: 100 });
      const items = data.nodes || [];
      box.append(el("h3", { text: `Impact (depth ${depth}): ${fmt(data.total ?? items.length)} dependents` }));
      const list = el("ul", { class: "links" });
      for (const item of items.slice(0, 100)) {
        list.append(el("li", {}, el("a", { href: "#", text: item.qualified_name || item.name,
          onclick: (e) => { e.preventDefault(); this.focus(item.id); } }),
        el("span", { class: "muted", text: ` d=${item.depth ?? "?"}` })));
      }
      box.append(list);
    } catch (error) {
      showMessage(`Impact: ${error.message}`);
    }
  }

  // Show a node: open it in place when it is drawn, else load its neighbourhood around it.
  async focus(nodeId) {
    this.ctx.openTab("graph");
    const present = this.cy && this.cy.getElementById(String(nodeId)).nonempty();
    if (present) {
      this.cy.nodes().removeClass("focus");
      const node = this.cy.getElementById(String(nodeId)).addClass("focus");
      this.cy.animate({ center: { eles: node }, duration: 200 });
      await this.openNode(String(nodeId));
    } else {
      await this.loadNeighbourhood(nodeId, 1);
    }
  }
}

function topModule(path) {
  if (!path) return "?";
  const parts = String(path).split("/");
  return parts.length > 1 ? parts.slice(0, Math.min(2, parts.length - 1)).join("/") : parts[0];
}
