// The admin API client: the key lives in sessionStorage only and goes out as a Bearer header.

const KEY = "switchboard.adminKey";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /** The field an admin 400 names: its message starts with `field: ...`. */
  get field() {
    const match = /^([A-Za-z_][\w.\[\]]*): /.exec(this.message || "");
    return match ? match[1] : null;
  }
}

export const session = {
  key: () => sessionStorage.getItem(KEY),
  signIn: (key) => sessionStorage.setItem(KEY, key),
  signOut: () => sessionStorage.removeItem(KEY),
};

async function request(method, path, { body, query, key } = {}) {
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== null && value !== undefined && value !== "") url.searchParams.set(name, value);
  }
  const headers = { Authorization: `Bearer ${key || session.key() || ""}`, Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "omit",
    cache: "no-store",
    referrerPolicy: "no-referrer",
  });
  const text = await response.text();
  const data = text ? safeJson(text) : null;
  if (!response.ok) {
    const error = (data && data.error) || data || {};
    const message = error.message || `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, error.error_code || error.code || error.type || "", message);
  }
  return { data, headers: response.headers, status: response.status };
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 300) };
  }
}

const V1 = "/api/v1";

async function all(path, plural, query = {}, limit = 50) {
  const rows = [];
  let token = null;
  for (let page = 0; page < limit; page += 1) {
    const { data } = await request("GET", `${V1}${path}`, { query: { ...query, max_results: 1000, page_token: token } });
    rows.push(...data[plural]);
    token = data.next_page_token;
    if (!token) break;
  }
  return rows;
}

export const api = {
  check: (key) => request("GET", `${V1}/endpoints`, { key, query: { max_results: 1 } }),
  endpoints: (filters = {}) => all("/endpoints", "endpoints", filters),
  endpoint: async (id) => (await request("GET", `${V1}/endpoints/${encodeURIComponent(id)}`)).data,
  createEndpoint: async (body) => (await request("POST", `${V1}/endpoints`, { body })).data,
  updateEndpoint: async (id, body) =>
    (await request("PATCH", `${V1}/endpoints/${encodeURIComponent(id)}`, { body })).data,
  deleteEndpoint: (id) => request("DELETE", `${V1}/endpoints/${encodeURIComponent(id)}`, { query: { force: "true" } }),
  limits: async (id) => (await request("GET", `${V1}/endpoints/${encodeURIComponent(id)}/limits`)).data.limits,
  models: () => all("/model-definitions", "model_definitions"),
  model: async (id) => (await request("GET", `${V1}/model-definitions/${encodeURIComponent(id)}`)).data,
  createModel: async (body) => (await request("POST", `${V1}/model-definitions`, { body })).data,
  updateModel: async (id, body) =>
    (await request("PATCH", `${V1}/model-definitions/${encodeURIComponent(id)}`, { body })).data,
  deleteModel: (id) =>
    request("DELETE", `${V1}/model-definitions/${encodeURIComponent(id)}`, { query: { force: "true" } }),
  secrets: () => all("/secrets", "secrets"),
  secret: async (id) => (await request("GET", `${V1}/secrets/${encodeURIComponent(id)}`)).data,
  createSecret: async (body) => (await request("POST", `${V1}/secrets`, { body })).data,
  updateSecret: async (id, body) => (await request("PATCH", `${V1}/secrets/${encodeURIComponent(id)}`, { body })).data,
  deleteSecret: (id) => request("DELETE", `${V1}/secrets/${encodeURIComponent(id)}`, { query: { force: "true" } }),
  usage: (query) => all("/usage", "usage", query),
  chat: (endpointName, content) =>
    request("POST", "/v1/chat/completions", {
      body: { model: endpointName, messages: [{ role: "user", content }] },
    }),
};
