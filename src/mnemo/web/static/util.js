// Small DOM helpers. Text always goes through textContent: code and names are never HTML.

export const $ = (selector, root = document) => root.querySelector(selector);

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

export function fmt(value, digits = 3) {
  if (value === null || value === undefined) return "–";
  if (typeof value === "number") {
    if (Number.isInteger(value)) return value.toLocaleString("en");
    if (Math.abs(value) < 0.001 && value !== 0) return value.toExponential(2);
    return value.toFixed(digits);
  }
  return String(value);
}

let messageTimer = null;
export function showMessage(text, kind = "error") {
  const box = $("#message");
  box.textContent = text;
  box.className = `message ${kind}`;
  box.hidden = false;
  clearTimeout(messageTimer);
  if (kind !== "error") messageTimer = setTimeout(() => { box.hidden = true; }, 4000);
}

export function hideMessage() {
  $("#message").hidden = true;
}

// Code with line numbers, as text (no HTML injection from source code).
export function renderCode(pre, source, startLine = 1) {
  clear(pre);
  const lines = (source || "").split("\n");
  const width = String(startLine + lines.length - 1).length;
  const out = lines.map((line, i) => `${String(startLine + i).padStart(width, " ")}  ${line}`).join("\n");
  pre.textContent = out;
}

export function table(node, columns, rows, onRowClick) {
  clear(node);
  const head = el("tr", {}, columns.map((c) => el("th", { text: c.label })));
  node.append(el("thead", {}, head));
  const body = el("tbody");
  for (const row of rows) {
    const tr = el("tr", {}, columns.map((c) => {
      const value = c.value ? c.value(row) : row[c.key];
      return el("td", { class: c.class }, value instanceof Node ? value : fmt(value, c.digits));
    }));
    if (onRowClick) {
      tr.classList.add("clickable");
      tr.addEventListener("click", () => onRowClick(row));
    }
    body.append(tr);
  }
  if (!rows.length) body.append(el("tr", {}, el("td", { colspan: columns.length, class: "muted", text: "nothing yet" })));
  node.append(body);
}
