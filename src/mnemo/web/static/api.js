// Thin fetch wrapper: every API error is {"error": "..."}; turn it into an Error with that text.

const TOKEN_KEY = "mnemo.token";

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

async function request(method, path, { params, body, signal } = {}, retried = false) {
  const url = new URL(path, window.location.origin);
  for (const [key, value] of Object.entries(params || {})) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value)) value.forEach((v) => url.searchParams.append(key, v));
    else url.searchParams.set(key, value);
  }
  const headers = { Accept: "application/json" };
  const init = { method, headers, signal };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  // With a token set on the server, every /api request needs it (reads return source code).
  if (getToken()) headers.Authorization = `Bearer ${getToken()}`;
  const response = await fetch(url, init);
  if (response.status === 401 && !retried) {
    const token = window.prompt("This Mnemo server needs its API token (MNEMO_API_TOKEN):", "");
    if (token) {
      setToken(token.trim());
      return request(method, path, { params, body, signal }, true);
    }
  }
  let data = null;
  const text = await response.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = { error: text }; }
  }
  if (!response.ok) {
    const message = (data && data.error) || `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message, data);
  }
  return data;
}

export const api = {
  get: (path, params, signal) => request("GET", path, { params, signal }),
  post: (path, body) => request("POST", path, { body }),
  del: (path) => request("DELETE", path),
};

export const repoPath = (name, rest = "") => `/api/repositories/${encodeURIComponent(name)}${rest}`;
