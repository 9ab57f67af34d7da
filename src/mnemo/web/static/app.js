// Mnemo's single-page UI: repository dropdown, graph, dashboard, search, indexing.
// Plain ES modules, no build step; Cytoscape.js and Chart.js come from /vendor (npm dist files).

import { api } from "./api.js";
import { Dashboard } from "./dashboard.js";
import { GraphView } from "./graph.js";
import { IndexingView } from "./indexing.js";
import { SearchView } from "./search.js";
import { $, el, clear, fmt, hideMessage, showMessage } from "./util.js";

const REPO_KEY = "mnemo.repository";
const state = { repo: null, tab: "graph", repos: [], loaded: new Set() };

const ctx = {
  repo: () => state.repo,
  openTab,
  selectRepo,
  refreshRepos,
  focusNode: async (nodeId) => { openTab("graph", { load: false }); await graph.focus(nodeId); },
};

const graph = new GraphView(ctx);
const dashboard = new Dashboard(ctx);
const search = new SearchView(ctx);
const indexing = new IndexingView(ctx);

function openTab(name, { load = true } = {}) {
  state.tab = name;
  for (const button of document.querySelectorAll(".tabs button")) {
    button.setAttribute("aria-selected", String(button.dataset.tab === name));
  }
  for (const view of document.querySelectorAll(".view")) view.hidden = view.dataset.view !== name;
  if (window.location.hash !== `#${name}`) history.replaceState(null, "", `#${name}`);
  if (load) loadTab(name);
}

async function loadTab(name) {
  // Each tab loads once per repository; Reload buttons refresh on demand.
  const key = `${name}:${state.repo}`;
  if (state.loaded.has(key)) return;
  state.loaded.add(key);
  if (name === "graph") await graph.loadDefault();
  else if (name === "dashboard") await dashboard.load();
  else if (name === "indexing") await indexing.load();
}

async function selectRepo(name, { load = true } = {}) {
  state.repo = name || null;
  $("#repo-select").value = name || "";
  if (name) localStorage.setItem(REPO_KEY, name);
  state.loaded.clear();
  graph.reset();
  const repo = state.repos.find((r) => r.name === name);
  $("#repo-summary").textContent = repo
    ? `${fmt(repo.files)} files · ${fmt(repo.chunks)} chunks${repo.nodes !== null ? ` · ${fmt(repo.nodes)} nodes · ${fmt(repo.edges)} edges` : ""}`
    : "";
  if (load) await loadTab(state.tab);
}

async function refreshRepos(prefer) {
  let data;
  try {
    data = await api.get("/api/repositories");
  } catch (error) {
    showMessage(`Cannot list repositories: ${error.message}`);
    return;
  }
  state.repos = data.repositories || [];
  const select = clear($("#repo-select"));
  if (!state.repos.length) {
    select.append(el("option", { value: "", text: "(nothing indexed yet: run mnemo index PATH)" }));
    // Say what to do instead of showing empty views: index from a terminal or from this page.
    showMessage("Nothing is indexed yet: run `mnemo index PATH` in a terminal, or index a directory on the Indexing tab.");
    openTab("indexing");
    return;
  }
  select.append(el("option", { value: "", text: "— choose a repository —" }));
  for (const repo of state.repos) select.append(el("option", { value: repo.name, text: `${repo.name} (${fmt(repo.files)} files)` }));
  const wanted = prefer || state.repo || localStorage.getItem(REPO_KEY);
  if (wanted && state.repos.some((r) => r.name === wanted)) {
    if (wanted !== state.repo) await selectRepo(wanted);
    else select.value = wanted;
  } else if (state.repos.length === 1) {
    await selectRepo(state.repos[0].name);
  }
}

function checkVendor() {
  const missing = [];
  if (typeof window.cytoscape !== "function") missing.push("cytoscape");
  if (typeof window.Chart !== "function") missing.push("chart.js");
  if (missing.length && !document.getElementById("vendor-missing")) {
    showMessage(`Missing front-end libraries (${missing.join(", ")}): run \`npm ci --prefix src/mnemo/web\` and reload.`);
  }
}

async function main() {
  for (const button of document.querySelectorAll(".tabs button")) {
    button.addEventListener("click", () => openTab(button.dataset.tab));
  }
  $("#repo-select").addEventListener("change", (e) => { hideMessage(); selectRepo(e.target.value); });
  const initial = (window.location.hash || "#graph").slice(1);
  openTab(["graph", "dashboard", "search", "indexing"].includes(initial) ? initial : "graph", { load: false });
  checkVendor();
  await refreshRepos();
  if (!state.repo && state.tab === "indexing") await loadTab("indexing");
  document.body.dataset.ready = "1";
}

main();

// For the browser tests and benchmarks/ui_render.py: the views, to read what the page shows.
window.__mnemo = { graph, dashboard, search, indexing, state };
