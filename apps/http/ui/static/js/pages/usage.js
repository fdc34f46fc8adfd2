// Usage over time: requests, tokens, errors and fallbacks per endpoint or per model definition.

import { api } from "../api.js";
import { barChart } from "../chart.js";
import { field, formatNumber, h, view } from "../dom.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const RANGES = { "1h": ["Last hour", HOUR], "6h": ["Last 6 hours", 6 * HOUR], "24h": ["Last 24 hours", DAY], "7d": ["Last 7 days", 7 * DAY], "30d": ["Last 30 days", 30 * DAY] };
const STEPS = [MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY];
const MAX_BUCKETS = 48;
const METRICS = [
  ["requests", "Requests", () => 1],
  ["tokens", "Tokens", (r) => r.total_tokens],
  ["errors", "Errors", (r) => (r.status >= 400 ? 1 : 0)],
  ["fallbacks", "Fallbacks", (r) => (r.fallback ? 1 : 0)],
];

/** The window a query names: a preset ending now, or a custom since/until. */
function windowOf(query) {
  const range = query.get("range") || "24h";
  if (range === "custom") {
    const since = Date.parse(query.get("since") || "");
    const until = Date.parse(query.get("until") || "");
    if (Number.isFinite(since) && Number.isFinite(until) && since < until) return { range, since, until };
  }
  const span = (RANGES[range] || RANGES["24h"])[1];
  const until = Date.now() + 1; // `until` is exclusive; include a request made this millisecond
  return { range: RANGES[range] ? range : "24h", since: until - span, until };
}

export async function usagePage(query) {
  const show = view();
  const win = windowOf(query);
  const by = query.get("by") === "model" ? "model" : "endpoint";
  const endpointId = query.get("endpoint_id") || "";
  const [records, endpoints] = await Promise.all([
    api.usage({ since: Math.floor(win.since), until: Math.ceil(win.until), endpoint_id: endpointId }),
    api.endpoints(),
  ]);
  const buckets = bucketsOf(win);
  show(
    h("div", { class: "spread" }, h("h1", {}, "Usage"), h("button", { type: "button", class: "secondary", id: "usage-refresh", onclick: () => usagePage(query) }, "Refresh")),
    controls(win, by, endpointId, endpoints),
    totals(records),
    records.length ? null : h("p", { class: "muted" }, "No request in this time range."),
    h(
      "div",
      { class: "charts" },
      METRICS.map(([key, title, measure]) => barChart(`chart-${key}`, { title: `${title} per ${by === "model" ? "model definition" : "endpoint"}`, buckets, series: seriesOf(records, buckets, by, measure) })),
    ),
  );
}

function controls(win, by, endpointId, endpoints) {
  const local = (ms) => {
    const d = new Date(ms - new Date(ms).getTimezoneOffset() * MINUTE);
    return d.toISOString().slice(0, 16);
  };
  const range = h(
    "select",
    { name: "range" },
    Object.entries(RANGES).map(([value, [label]]) => h("option", { value, selected: value === win.range }, label)),
    h("option", { value: "custom", selected: win.range === "custom" }, "Custom…"),
  );
  const since = h("input", { type: "datetime-local", name: "since", value: local(win.since) });
  const until = h("input", { type: "datetime-local", name: "until", value: local(win.until) });
  const syncCustom = () => {
    const custom = range.value === "custom";
    since.disabled = !custom;
    until.disabled = !custom;
  };
  range.addEventListener("change", syncCustom);
  syncCustom();
  const endpoint = h(
    "select",
    { name: "endpoint_id" },
    h("option", { value: "" }, "All endpoints"),
    endpoints.map((e) => h("option", { value: e.endpoint_id, selected: e.endpoint_id === endpointId }, e.name)),
  );
  const group = h(
    "select",
    { name: "by" },
    h("option", { value: "endpoint", selected: by === "endpoint" }, "Endpoint"),
    h("option", { value: "model", selected: by === "model" }, "Model definition"),
  );
  const form = h(
    "form",
    { class: "filters", "aria-label": "Usage time range and grouping" },
    field("usage-range", "Time range", range),
    field("usage-since", "From", since),
    field("usage-until", "To", until),
    field("usage-endpoint", "Endpoint", endpoint),
    field("usage-by", "Group by", group),
    h("div", { class: "field" }, h("button", { type: "submit" }, "Show")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams({ range: range.value, by: group.value });
    if (endpoint.value) params.set("endpoint_id", endpoint.value);
    if (range.value === "custom") {
      params.set("since", new Date(since.value).toISOString());
      params.set("until", new Date(until.value).toISOString());
    }
    window.location.hash = `#/usage?${params}`;
  });
  return form;
}

function totals(records) {
  return h(
    "div",
    { class: "totals", "aria-label": "Totals in range" },
    METRICS.map(([key, title, measure]) =>
      h("div", { class: "card" }, h("div", { class: "muted" }, title), h("div", { class: "big", id: `total-${key}` }, formatNumber(records.reduce((sum, r) => sum + measure(r), 0)))),
    ),
  );
}

function bucketsOf(win) {
  const span = win.until - win.since;
  const step = STEPS.find((s) => span / s <= MAX_BUCKETS) || DAY;
  const first = Math.floor(win.since / step) * step;
  const buckets = [];
  for (let start = first; start < win.until; start += step) {
    const date = new Date(start);
    const label =
      step >= DAY ? date.toLocaleDateString(undefined, { month: "short", day: "numeric" }) : date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
    buckets.push({ start, step, label, full: date.toLocaleString(undefined, { dateStyle: "short", timeStyle: "short" }) });
  }
  return buckets;
}

function seriesOf(records, buckets, by, measure) {
  const step = buckets.length ? buckets[0].step : DAY;
  const first = buckets.length ? buckets[0].start : 0;
  const groups = new Map();
  for (const r of records) {
    const name = by === "model" ? r.model_definition_name || "(no model)" : r.endpoint_name;
    if (!groups.has(name)) groups.set(name, new Array(buckets.length).fill(0));
    const index = Math.floor((r.timestamp_ms - first) / step);
    if (index >= 0 && index < buckets.length) groups.get(name)[index] += measure(r);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, values]) => ({ name, values }));
}
