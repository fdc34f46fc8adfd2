// Create or edit an endpoint: mappings (weight, linkage, fallback order), max attempts and tags.

import { api } from "../api.js";
import { field, h, view } from "../dom.js";
import { formError, submitting } from "../forms.js";

let rowSeq = 0;

export async function endpointForm(id) {
  const show = view();
  const [endpoint, models] = await Promise.all([id ? api.endpoint(id) : null, api.models()]);
  if (!models.length) {
    show(
      h("h1", {}, "New endpoint"),
      h("p", {}, "An endpoint routes to model definitions; there are none yet. ", h("a", { href: "#/models" }, "Create a model definition"), " first."),
    );
    return;
  }
  const mappings = h("div", { class: "mappings" });
  const tags = h("div", { class: "tags" });
  const addMapping = h("button", { type: "button", class: "secondary", "data-field": "model_mappings", id: "mappings-add" }, "Add model");
  const addTag = h("button", { type: "button", class: "secondary", "data-field": "tags", id: "tags-add" }, "Add tag");
  const name = h("input", { name: "name", required: true, value: endpoint ? endpoint.name : "", "data-field": "name", autocomplete: "off" });
  const attempts = h("input", {
    name: "max_attempts",
    type: "number",
    min: "1",
    step: "1",
    "data-field": "fallback_config.max_attempts",
    value: endpoint && endpoint.fallback_config ? endpoint.fallback_config.max_attempts : "",
  });
  const form = h(
    "form",
    { "aria-labelledby": "form-title", novalidate: true },
    h("h1", { id: "form-title" }, endpoint ? `Edit endpoint ${endpoint.name}` : "New endpoint"),
    formError(),
    h("fieldset", {}, h("legend", {}, "Endpoint"), h("div", { class: "grid-form" },
      field("endpoint-name", "Name", name, "Letters, digits, '-', '_' and '.'; applications call it by this name."),
      h("div", { class: "field" }, h("label", {}, "Routing"), h("div", { class: "muted" }, "Request-based traffic split over the primary models, by weight.")),
    )),
    h(
      "fieldset",
      {},
      h("legend", {}, "Models"),
      mappings,
      h("div", { class: "row" }, addMapping),
      h("div", { class: "field-error", id: "mappings-add-error", role: "alert" }),
    ),
    h(
      "fieldset",
      {},
      h("legend", {}, "Fallback"),
      field(
        "max-attempts",
        "Max attempts",
        attempts,
        "How many models one request may try: the chosen primary, then FALLBACK models in their order. Empty: no fallback.",
      ),
    ),
    h("fieldset", {}, h("legend", {}, "Tags"), tags, h("div", { class: "row" }, addTag), h("div", { class: "field-error", id: "tags-add-error", role: "alert" })),
    h(
      "div",
      { class: "row" },
      h("button", { type: "submit" }, endpoint ? "Save endpoint" : "Create endpoint"),
      h("a", { href: endpoint ? `#/endpoints/${encodeURIComponent(endpoint.endpoint_id)}` : "#/endpoints" }, "Cancel"),
    ),
  );
  const initial = endpoint ? endpoint.model_mappings : [{ model_definition: models[0], weight: 1, linkage_type: "PRIMARY", fallback_order: null }];
  for (const m of initial) mappings.append(mappingRow(models, m, mappings));
  for (const t of endpoint ? endpoint.tags : []) tags.append(tagRow(t, tags));
  renumber(mappings, tags);
  addMapping.addEventListener("click", () => {
    const next = mappings.children.length;
    const row = mappingRow(models, { model_definition: models[Math.min(next, models.length - 1)], weight: 1, linkage_type: "FALLBACK", fallback_order: next }, mappings);
    mappings.append(row);
    renumber(mappings, tags);
    row.querySelector("select").focus();
  });
  addTag.addEventListener("click", () => {
    const row = tagRow({ key: "", value: "" }, tags);
    tags.append(row);
    renumber(mappings, tags);
    row.querySelector("input").focus();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitting(form, async () => {
      const body = bodyOf(name, attempts, mappings, tags);
      const saved = endpoint ? await api.updateEndpoint(endpoint.endpoint_id, body) : await api.createEndpoint(body);
      window.location.hash = `#/endpoints/${encodeURIComponent(saved.endpoint_id)}`;
    });
  });
  show(form);
}

function mappingRow(models, mapping, container) {
  const n = ++rowSeq;
  const model = h(
    "select",
    { name: "model_definition_id" },
    models.map((m) =>
      h("option", { value: m.model_definition_id, selected: m.model_definition_id === mapping.model_definition.model_definition_id }, `${m.name} (${m.provider})`),
    ),
  );
  const weight = h("input", { name: "weight", type: "number", min: "0", step: "any", value: mapping.weight });
  const linkage = h(
    "select",
    { name: "linkage_type" },
    ["PRIMARY", "FALLBACK"].map((t) => h("option", { value: t, selected: t === mapping.linkage_type }, t === "PRIMARY" ? "Primary" : "Fallback")),
  );
  const order = h("input", { name: "fallback_order", type: "number", step: "1", value: mapping.fallback_order ?? "" });
  const sync = () => {
    order.disabled = linkage.value !== "FALLBACK";
  };
  linkage.addEventListener("change", sync);
  sync();
  const row = h(
    "div",
    { class: "mapping-row" },
    field(`m${n}-model`, "Model definition", model),
    field(`m${n}-weight`, "Weight", weight),
    field(`m${n}-linkage`, "Linkage", linkage),
    field(`m${n}-order`, "Fallback order", order),
  );
  row.append(h("div", { class: "row-actions" }, h("button", { type: "button", class: "danger", "aria-label": "Remove this model", onclick: () => { row.remove(); renumber(container); } }, "Remove")));
  return row;
}

function tagRow(tag, container) {
  const n = ++rowSeq;
  const row = h(
    "div",
    { class: "tag-row" },
    field(`t${n}-key`, "Key", h("input", { name: "tag_key", value: tag.key })),
    field(`t${n}-value`, "Value", h("input", { name: "tag_value", value: tag.value })),
  );
  row.append(h("div", { class: "row-actions" }, h("button", { type: "button", class: "danger", "aria-label": "Remove this tag", onclick: () => { row.remove(); renumber(null, container); } }, "Remove")));
  return row;
}

/** data-field paths follow the rows' positions, as the API's `model_mappings[1].weight` does. */
function renumber(mappings, tags) {
  if (mappings) {
    [...mappings.children].forEach((row, i) => {
      for (const input of row.querySelectorAll("input, select")) input.dataset.field = `model_mappings[${i}].${input.name}`;
    });
  }
  if (tags) {
    [...tags.children].forEach((row, i) => {
      for (const input of row.querySelectorAll("input")) input.dataset.field = `tags[${i}].${input.name.replace("tag_", "")}`;
    });
  }
}

function numberOrRaw(value) {
  const n = Number(value);
  return value.trim() !== "" && Number.isFinite(n) ? n : value;
}

function bodyOf(name, attempts, mappings, tags) {
  const model_mappings = [...mappings.children].map((row) => {
    const value = (n) => row.querySelector(`[name=${n}]`).value;
    const fallback = value("linkage_type") === "FALLBACK";
    return {
      model_definition_id: value("model_definition_id"),
      weight: numberOrRaw(value("weight")),
      linkage_type: value("linkage_type"),
      fallback_order: fallback ? numberOrRaw(value("fallback_order")) : null,
    };
  });
  const tagList = [...tags.children]
    .map((row) => ({ key: row.querySelector("[name=tag_key]").value.trim(), value: row.querySelector("[name=tag_value]").value }))
    .filter((t) => t.key || t.value);
  const max = attempts.value.trim();
  return {
    name: name.value.trim(),
    model_mappings,
    tags: tagList,
    fallback_config: max === "" ? null : { strategy: "SEQUENTIAL", max_attempts: numberOrRaw(max) },
  };
}
