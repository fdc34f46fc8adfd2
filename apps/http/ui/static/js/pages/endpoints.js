// The endpoints list: models, providers, routing split, fallback chain, tags and "used by".

import { api } from "../api.js";
import { field, h, view } from "../dom.js";
import { fallbackChain, routingSplit, tagChips, usedBy } from "../summary.js";

const FILTERS = ["name", "provider", "tag"];

export async function endpointsPage(query) {
  const show = view();
  const filters = Object.fromEntries(FILTERS.map((f) => [f, query.get(f) || ""]));
  const [endpoints, models] = await Promise.all([api.endpoints(filters), api.models()]);
  const providers = [...new Set(models.map((m) => m.provider))].sort();
  show(
    h("div", { class: "spread" }, h("h1", {}, "Endpoints"), h("a", { class: "button", href: "#/endpoints/new" }, "New endpoint")),
    filterForm(filters, providers),
    endpoints.length ? table(endpoints) : h("p", { class: "muted" }, "No endpoint matches."),
  );
}

function filterForm(filters, providers) {
  const provider = h(
    "select",
    { name: "provider" },
    h("option", { value: "" }, "Any provider"),
    providers.map((p) => h("option", { value: p, selected: p === filters.provider }, p)),
  );
  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Filter endpoints" },
    field("filter-name", "Name starts with", h("input", { name: "name", value: filters.name, type: "search" })),
    field("filter-provider", "Provider", provider),
    field("filter-tag", "Tag", h("input", { name: "tag", value: filters.tag, placeholder: "key or key=value" })),
    h("div", { class: "field" }, h("button", { type: "submit" }, "Filter"), " ", h("a", { href: "#/endpoints" }, "Clear")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const name of FILTERS) {
      const value = form.elements[name].value.trim();
      if (value) params.set(name, value);
    }
    window.location.hash = `#/endpoints${params.size ? `?${params}` : ""}`;
  });
  return form;
}

function table(endpoints) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { "aria-label": "Endpoints" },
      h(
        "thead",
        {},
        h("tr", {}, ["Endpoint", "Models", "Providers", "Routing split", "Fallback chain", "Tags", "Used by"].map((t) => h("th", { scope: "col" }, t))),
      ),
      h("tbody", {}, endpoints.map(row)),
    ),
  );
}

function row(endpoint) {
  const models = endpoint.model_mappings.map((m) => m.model_definition);
  const providers = [...new Set(models.map((m) => m.provider))];
  return h(
    "tr",
    { dataset: { endpoint: endpoint.name } },
    h("th", { scope: "row" }, h("a", { href: `#/endpoints/${encodeURIComponent(endpoint.endpoint_id)}` }, endpoint.name)),
    h("td", {}, models.map((m) => h("div", {}, m.name))),
    h("td", {}, providers.map((p) => h("span", { class: "chip" }, p))),
    h("td", {}, routingSplit(endpoint)),
    h("td", {}, fallbackChain(endpoint)),
    h("td", {}, tagChips(endpoint.tags)),
    h("td", {}, usedBy(endpoint.bindings)),
  );
}
