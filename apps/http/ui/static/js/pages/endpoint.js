// One endpoint: model cards, limits, bindings and a "try it" chat box on the data plane.

import { ApiError, api } from "../api.js";
import { field, h, view } from "../dom.js";
import { fallbackChain, formatShare, routingSplit, shares, tagChips } from "../summary.js";

export async function endpointPage(id) {
  const show = view();
  const [endpoint, limits] = await Promise.all([api.endpoint(id), api.limits(id)]);
  const share = new Map(shares(endpoint).map((s) => [s.mapping.mapping_id, s.percent]));
  show(
    h(
      "div",
      { class: "spread" },
      h("h1", {}, `Endpoint ${endpoint.name}`),
      h(
        "div",
        { class: "row" },
        h("a", { class: "button secondary", href: `#/usage?endpoint_id=${encodeURIComponent(endpoint.endpoint_id)}` }, "Show usage"),
        h("a", { class: "button", href: `#/endpoints/${encodeURIComponent(endpoint.endpoint_id)}/edit` }, "Edit"),
        h("button", { type: "button", class: "danger", onclick: () => remove(endpoint) }, "Delete"),
      ),
    ),
    h(
      "div",
      { class: "cards" },
      h("div", { class: "card" }, h("h3", {}, "Routing split"), routingSplit(endpoint)),
      h("div", { class: "card" }, h("h3", {}, "Fallback chain"), fallbackChain(endpoint)),
      h("div", { class: "card" }, h("h3", {}, "Tags"), tagChips(endpoint.tags)),
    ),
    h("h2", {}, "Models"),
    h("div", { class: "cards" }, endpoint.model_mappings.map((m) => modelCard(m, share.get(m.mapping_id)))),
    h("h2", {}, "Limits"),
    limitsTable(limits),
    h("h2", {}, "Bindings"),
    bindingsTable(endpoint.bindings),
    h("h2", { id: "try-title" }, "Try it"),
    tryIt(endpoint),
  );
}

function modelCard(mapping, percent) {
  const model = mapping.model_definition;
  const secret = model.orphaned
    ? h("span", { class: "badge orphaned" }, "orphaned")
    : model.secret_name || h("span", { class: "muted" }, "none");
  const role =
    mapping.linkage_type === "PRIMARY"
      ? h("span", { class: "badge primary" }, `primary · ${formatShare(percent)}`)
      : h("span", { class: "badge fallback" }, `fallback #${mapping.fallback_order}`);
  return h(
    "article",
    { class: "card model-card", "aria-label": `Model ${model.name}` },
    h("div", { class: "spread" }, h("h3", {}, h("a", { href: `#/models/${encodeURIComponent(model.model_definition_id)}` }, model.name)), role),
    h(
      "dl",
      {},
      h("dt", {}, "Provider"),
      h("dd", {}, model.provider),
      h("dt", {}, "Model name"),
      h("dd", {}, model.model_name),
      h("dt", {}, "Secret"),
      h("dd", {}, secret),
      h("dt", {}, "Weight"),
      h("dd", {}, String(mapping.weight)),
    ),
  );
}

function limitsTable(limits) {
  if (!limits.length) return h("p", { class: "muted" }, "No limits: calls are not rate limited.");
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { "aria-label": "Limits" },
      h("thead", {}, h("tr", {}, ["Per", "Calls", "Tokens", "Counted by"].map((t) => h("th", { scope: "col", class: t === "Calls" || t === "Tokens" ? "num" : null }, t)))),
      h(
        "tbody",
        {},
        limits.map((l) =>
          h("tr", {}, h("td", {}, l.renewal_period.toLowerCase()), h("td", { class: "num" }, l.calls), h("td", { class: "num" }, l.tokens ?? "—"), h("td", {}, l.key.toLowerCase())),
        ),
      ),
    ),
  );
}

function bindingsTable(bindings) {
  if (!bindings.length) return h("p", { class: "muted" }, "No resource is bound to this endpoint.");
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { "aria-label": "Bindings" },
      h("thead", {}, h("tr", {}, ["Display name", "Resource type", "Resource id"].map((t) => h("th", { scope: "col" }, t)))),
      h(
        "tbody",
        {},
        bindings.map((b) => h("tr", {}, h("td", {}, b.display_name || "—"), h("td", {}, b.resource_type), h("td", {}, h("code", {}, b.resource_id)))),
      ),
    ),
  );
}

function tryIt(endpoint) {
  const prompt = h("textarea", { name: "prompt", required: true, rows: 4 }, "Say hello in one sentence.");
  const answer = h("pre", { class: "answer", id: "try-answer", "aria-live": "polite" }, "");
  const meta = h("div", { class: "meta", id: "try-meta" });
  const form = h(
    "form",
    { class: "try", "aria-labelledby": "try-title" },
    h(
      "div",
      {},
      field("try-prompt", "Message", prompt, `Sent as a chat request to ${endpoint.name} with your admin key.`),
      h("button", { type: "submit" }, "Send"),
    ),
    h("div", {}, h("label", { for: "try-answer" }, "Answer"), answer, meta),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    answer.textContent = "Waiting for the answer…";
    meta.replaceChildren();
    const started = performance.now();
    try {
      const { data, headers } = await api.chat(endpoint.name, prompt.value);
      const choice = (data.choices || [])[0] || {};
      answer.textContent = (choice.message && choice.message.content) || "(empty answer)";
      meta.replaceChildren(
        item("Served by", headers.get("x-switchboard-model-definition") || "?", "try-model"),
        item("Attempts", headers.get("x-switchboard-attempts") || "?", "try-attempts"),
        item("Tokens", data.usage ? data.usage.total_tokens : "?", "try-tokens"),
        item("Time", `${Math.round(performance.now() - started)} ms`, "try-time"),
      );
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      answer.textContent = `Error ${error.status}: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

function item(label, value, id) {
  return h("div", {}, `${label}: `, h("b", { id }, String(value)));
}

async function remove(endpoint) {
  if (!window.confirm(`Delete endpoint ${endpoint.name}? Bound resources lose it.`)) return;
  try {
    await api.deleteEndpoint(endpoint.endpoint_id);
  } catch (error) {
    window.alert(`Not deleted: ${error.message}`);
    return;
  }
  window.location.hash = "#/endpoints";
}
