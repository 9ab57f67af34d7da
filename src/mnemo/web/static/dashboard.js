// The metrics dashboard: headline figures, distributions (Chart.js) and top-N tables.

import { api, repoPath } from "./api.js";
import { $, el, clear, fmt, showMessage, table } from "./util.js";

export class Dashboard {
  constructor(ctx) {
    this.ctx = ctx; // { repo(), focusNode(id) }
    this.charts = new Map();
  }

  async load() {
    const repo = this.ctx.repo();
    if (!repo) return;
    let data;
    try {
      data = await api.get(repoPath(repo, "/metrics"), { top: 15 });
    } catch (error) {
      showMessage(`Dashboard: ${error.message}`);
      return;
    }
    this.figures(data);
    this.histogram("chart-complexity", data.distributions?.complexity, "#e15759");
    this.histogram("chart-coupling", data.distributions?.coupling, "#4e79a7");
    this.histogram("chart-pagerank", data.distributions?.pagerank, "#59a14f");
    this.bars("chart-kinds", data.nodes_by_kind || {}, "#76b7b2");
    this.bars("chart-edges", data.edges_by_type || {}, "#f28e2b");
    const cols = (metric, digits) => [
      { label: "Name", value: (r) => el("a", { href: "#", text: r.qualified_name || r.name,
        onclick: (e) => { e.preventDefault(); this.ctx.focusNode(r.id); } }) },
      { label: "Kind", key: "kind" },
      { label: "Path", key: "path", class: "path" },
      { label: metric, value: (r) => r[metric], digits },
    ];
    table($("#top-complexity"), cols("complexity", 0), data.top?.complexity || []);
    table($("#top-coupling"), cols("coupling", 0), data.top?.coupling || []);
    table($("#top-pagerank"), cols("pagerank", 5), data.top?.pagerank || []);
    document.body.dataset.dashboardLoaded = String(Date.now());
  }

  figures(data) {
    const box = clear($("#dash-figures"));
    const t = data.totals || {};
    const items = [
      ["Files", t.files], ["Chunks", t.chunks], ["Nodes", t.nodes], ["Edges", t.edges],
      ["Mean complexity", t.mean_complexity], ["Max complexity", t.max_complexity],
      ["Mean coupling", t.mean_coupling], ["Failed files", t.files_failed],
    ];
    for (const [label, value] of items) {
      if (value === undefined) continue;
      box.append(el("div", { class: "figure", dataset: { figure: label.toLowerCase().replace(/ /g, "-") } },
        el("div", { class: "value", text: fmt(value, 2) }), el("div", { class: "label", text: label })));
    }
  }

  chart(id, config) {
    if (typeof window.Chart !== "function") {
      showMessage("Chart.js is not loaded: run `npm ci --prefix src/mnemo/web` and reload");
      return;
    }
    const old = this.charts.get(id);
    if (old) old.destroy();
    config.options = { responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { display: false } }, ...config.options };
    this.charts.set(id, new window.Chart($(`#${id}`), config));
  }

  histogram(id, dist, colour) {
    const bins = dist?.bins || [];
    const labels = bins.map((b) => b.label ?? (b.hi === undefined || b.hi === b.lo ? fmt(b.lo, 4) : `${fmt(b.lo, 4)}–${fmt(b.hi, 4)}`));
    this.chart(id, {
      type: "bar",
      data: { labels, datasets: [{ data: bins.map((b) => b.count), backgroundColor: colour }] },
      options: { scales: { y: { type: dist?.log ? "logarithmic" : "linear", title: { display: true, text: "nodes" } } } },
    });
  }

  bars(id, counts, colour) {
    const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
    this.chart(id, {
      type: "bar",
      data: { labels: entries.map((e) => e[0]), datasets: [{ data: entries.map((e) => e[1]), backgroundColor: colour }] },
      options: { indexAxis: "y" },
    });
  }
}
