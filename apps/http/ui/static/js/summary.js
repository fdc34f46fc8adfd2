// How an endpoint reads at a glance: routing shares of its primaries and its fallback chain.

import { h } from "./dom.js";

export const COLORS = ["#1f5fbf", "#e07b00", "#2e9d5b", "#b03a7a", "#6b5bd2", "#00838f", "#8d6e00", "#c62828"];

export function primaries(endpoint) {
  return endpoint.model_mappings.filter((m) => m.linkage_type === "PRIMARY");
}

export function fallbacks(endpoint) {
  return endpoint.model_mappings
    .filter((m) => m.linkage_type === "FALLBACK")
    .sort((a, b) => a.fallback_order - b.fallback_order);
}

/** Each primary's share of the traffic, in percent (weights are relative). */
export function shares(endpoint) {
  const main = primaries(endpoint);
  const total = main.reduce((sum, m) => sum + m.weight, 0) || 1;
  return main.map((m) => ({ mapping: m, percent: (100 * m.weight) / total }));
}

export function formatShare(percent) {
  return `${Number.isInteger(percent) ? percent : percent.toFixed(1)}%`;
}

export function shareBar(endpoint) {
  const parts = shares(endpoint);
  return h(
    "div",
    { class: "share", role: "img", "aria-label": parts.map((p) => `${p.mapping.model_definition.name} ${formatShare(p.percent)}`).join(", ") },
    parts.map((p, i) => h("span", { style: `width:${p.percent}%;background:${COLORS[i % COLORS.length]}` })),
  );
}

export function routingSplit(endpoint) {
  return h(
    "div",
    {},
    shares(endpoint).map((p) =>
      h("div", {}, `${p.mapping.model_definition.name} `, h("b", {}, formatShare(p.percent))),
    ),
    shareBar(endpoint),
  );
}

export function fallbackChain(endpoint) {
  const chain = fallbacks(endpoint);
  if (!chain.length) return h("span", { class: "muted" }, "none");
  const attempts = endpoint.fallback_config ? endpoint.fallback_config.max_attempts : null;
  return h(
    "div",
    {},
    chain.map((m) => m.model_definition.name).join(" → "),
    attempts ? h("div", { class: "muted" }, `max ${attempts} attempts`) : null,
  );
}

export function tagChips(tags) {
  if (!tags.length) return h("span", { class: "muted" }, "—");
  return tags.map((t) => h("span", { class: "chip" }, t.value ? `${t.key}=${t.value}` : t.key));
}

export function usedBy(bindings) {
  if (!bindings.length) return h("span", { class: "muted" }, "nothing");
  return bindings.map((b) => h("div", {}, b.display_name || b.resource_id, h("span", { class: "muted" }, ` (${b.resource_type.toLowerCase()})`)));
}
