// Mnemo's single-page UI: repository dropdown, graph, dashboard, search, indexing.
// Plain ES modules, no build step; Cytoscape.js and Chart.js come from /vendor (npm dist files).

import { api, repoPath } from "./api.js";
import { Dashboard } from "./dashboard.js";
import { GraphView } from "./graph.js";
import { IndexingView } from "./indexing.js";
import { SearchView } from "./search.js";
import { $, el, clear, fmt, hideMessage, showMessage } from "./util.js";

const REPO_KEY = "mnemo.repository";
// The picker shows one page of repositories; with hundreds, the filter box asks the API for
// the names (or roots) containing its text instead of loading every repository's counts.
const REPO_PAGE = 200;
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
  if (name && !state.repos.some((r) => r.name === name)) await addRepoOption(name);
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

// A repository outside the page shown (chosen from a search hit, or remembered): add it.
async function addRepoOption(name) {
  try {
    const repo = await api.get(repoPath(name));
    state.repos.push(repo);
    $("#repo-select").append(el("option", { value: repo.name, text: `${repo.name} (${fmt(repo.files)} files)` }));
  } catch (error) {
    /* unknown now (deleted): selectRepo shows nothing for it */
  }
}

async function refreshRepos(prefer) {
  let data;
  const filter = $("#repo-filter").value.trim();
  try {
    data = await api.get("/api/repositories", { limit: REPO_PAGE, ...(filter ? { q: filter } : {}) });
  } catch (error) {
    showMessage(`Cannot list repositories: ${error.message}`);
    return;
  }
  state.repos = data.repositories || [];
  const total = data.total ?? state.repos.length;
  const select = clear($("#repo-select"));
  if (!state.repos.length) {
    if (filter) {
      select.append(el("option", { value: "", text: `(no repository matches “${filter}”)` }));
      return;
    }
    select.append(el("option", { value: "", text: "(nothing indexed yet: run mnemo index PATH)" }));
    // Say what to do instead of showing empty views: index from a terminal or from this page.
    showMessage("Nothing is indexed yet: run `mnemo index PATH` in a terminal, or index a directory on the Indexing tab.");
    openTab("indexing");
    return;
  }
  const shown = total > state.repos.length ? ` — ${fmt(state.repos.length)} of ${fmt(total)}, type to filter` : "";
  select.append(el("option", { value: "", text: `— choose a repository${shown} —` }));
  for (const repo of state.repos) select.append(el("option", { value: repo.name, text: `${repo.name} (${fmt(repo.files)} files)` }));
  if (filter && !prefer) {
    if (state.repo && !state.repos.some((r) => r.name === state.repo)) await addRepoOption(state.repo);
    select.value = state.repo || "";
    return; // filtering narrows the list; it never switches the repository by itself
  }
  const wanted = prefer || state.repo || localStorage.getItem(REPO_KEY);
  if (wanted && total > state.repos.length && !state.repos.some((r) => r.name === wanted)) await addRepoOption(wanted);
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
  let filterTimer = null;
  $("#repo-filter").addEventListener("input", () => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(() => refreshRepos(), 200);
  });
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
