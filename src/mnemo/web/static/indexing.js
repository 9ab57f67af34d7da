// The indexing page: start a run (a background job followed by server-sent events), the last
// runs with their failures, and the repositories (with delete).

import { api, getToken, repoPath, setToken } from "./api.js";
import { $, el, clear, fmt, showMessage, table } from "./util.js";

export class IndexingView {
  constructor(ctx) {
    this.ctx = ctx; // { repo(), refreshRepos() }
    $("#index-token").value = getToken();
    $("#index-form").addEventListener("submit", (e) => { e.preventDefault(); this.start(); });
    $("#job-cancel").addEventListener("click", () => this.cancel());
    this.job = null;
  }

  async load() {
    await Promise.all([this.loadRuns(), this.loadRepos(), this.loadRoots()]);
  }

  async loadRoots() {
    // The server indexes only under its index roots (default: where `mnemo serve` was started).
    try {
      const health = await api.get("/api/health");
      const roots = health.index_roots || [];
      $("#index-roots").textContent = roots.length
        ? `Indexing is allowed under: ${roots.join(", ")} (start mnemo serve elsewhere, or pass --index-root, to change it).`
        : "Indexing through the API is disabled on this server.";
      if (roots.length === 1 && !$("#index-path").value) $("#index-path").placeholder = `${roots[0]}/…`;
    } catch (error) {
      $("#index-roots").textContent = `Index roots unknown: ${error.message}`;
    }
  }

  async cancel() {
    if (!this.job) return;
    setToken($("#index-token").value.trim());
    try {
      const job = await api.post(`/api/jobs/${this.job.id}/cancel`, {});
      this.showJob(job);
    } catch (error) {
      showMessage(`Cancel: ${error.message}`);
    }
  }

  async loadRuns() {
    let data;
    try { data = await api.get("/api/runs", { limit: 20 }); } catch (error) { showMessage(`Runs: ${error.message}`); return; }
    table($("#runs-table"), [
      { label: "Run", key: "id" },
      { label: "Repository", key: "repository" },
      { label: "Status", value: (r) => el("span", { class: `status ${r.status}`, text: r.status }) },
      { label: "Mode", key: "mode" },
      { label: "Started", value: (r) => new Date(r.started_at).toLocaleString() },
      { label: "Seconds", key: "duration_s", digits: 1 },
      { label: "Seen", key: "files_seen" }, { label: "Indexed", key: "files_indexed" },
      { label: "Unchanged", key: "files_unchanged" }, { label: "Failed", key: "files_failed" },
      { label: "Chunks", key: "chunks_written" }, { label: "Errors", key: "errors" },
    ], data.runs || [], (run) => this.showRun(run.id));
  }

  async showRun(runId) {
    const box = clear($("#run-errors"));
    let run;
    try { run = await api.get(`/api/runs/${runId}`, { limit: 200 }); } catch (error) { showMessage(error.message); return; }
    box.append(el("h3", { text: `Run ${run.id} (${run.repository}): ${fmt(run.errors)} errors, ${fmt(run.warnings)} warnings` }));
    const t = el("table", { class: "runs" });
    table(t, [
      { label: "Severity", key: "severity" }, { label: "Path", key: "path", class: "path" },
      { label: "Line", key: "line" }, { label: "Column", key: "col" }, { label: "Message", key: "message" },
    ], run.error_list || []);
    box.append(t);
  }

  async loadRepos() {
    let data;
    try { data = await api.get("/api/repositories"); } catch (error) { showMessage(error.message); return; }
    table($("#repos-table"), [
      { label: "Name", key: "name" }, { label: "Root", key: "root", class: "path" },
      { label: "Files", key: "files" }, { label: "Failed", key: "files_failed" }, { label: "Chunks", key: "chunks" },
      { label: "Nodes", key: "nodes" }, { label: "Edges", key: "edges" },
      { label: "", value: (r) => el("button", { type: "button", class: "danger", text: "Delete",
        onclick: (e) => { e.stopPropagation(); this.remove(r.name); } }) },
    ], data.repositories || []);
  }

  async remove(name) {
    if (!window.confirm(`Delete repository ${name} and everything indexed from it?`)) return;
    setToken($("#index-token").value.trim());
    try {
      await api.del(repoPath(name));
      showMessage(`Deleted ${name}`, "info");
    } catch (error) {
      showMessage(`Delete: ${error.message}`);
    }
    await this.ctx.refreshRepos();
    await this.load();
  }

  async start() {
    setToken($("#index-token").value.trim());
    const body = { path: $("#index-path").value.trim(), full: $("#index-full").checked };
    const name = $("#index-name").value.trim();
    if (name) body.name = name;
    let job;
    try {
      job = await api.post("/api/index", body);
    } catch (error) {
      showMessage(`Index: ${error.message}`);
      return;
    }
    this.follow(job);
  }

  follow(job) {
    $("#job-status").hidden = false;
    this.showJob(job);
    if (getToken()) { this.poll(job.id); return; } // EventSource cannot send the token: poll instead
    const source = new EventSource(`/api/jobs/${job.id}/events`);
    const update = (event) => this.showJob(JSON.parse(event.data));
    source.addEventListener("progress", update);
    source.addEventListener("done", async (event) => {
      source.close();
      const final = JSON.parse(event.data);
      this.showJob(final);
      await this.ctx.refreshRepos(final.summary?.repository);
      await this.load();
    });
    source.onerror = () => source.close();
  }

  async poll(jobId) {
    for (;;) {
      let job;
      try { job = await api.get(`/api/jobs/${jobId}`); } catch (error) { showMessage(error.message); return; }
      this.showJob(job);
      if (job.done) {
        await this.ctx.refreshRepos(job.summary?.repository);
        await this.load();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  showJob(job) {
    this.job = job;
    $("#job-cancel").hidden = job.done;
    $("#job-cancel").disabled = Boolean(job.cancel_requested);
    const p = job.progress || {};
    $("#job-progress").value = job.done ? 100 : p.percent || 0;
    let text = `Job ${job.id} ${job.status}`;
    if (p.files_total) text += ` · ${fmt(p.files_done)}/${fmt(p.files_total)} files, ${fmt(p.chunks)} chunks`;
    if (job.stage && !job.done) text += ` · ${job.stage}`;
    if (job.error) text += ` · ${job.error}`;
    if (job.summary) text += ` · ${fmt(job.summary.files_indexed)} indexed, ${fmt(job.summary.files_failed)} failed`;
    $("#job-text").textContent = text;
    $("#job-status").dataset.status = job.status;
  }
}
