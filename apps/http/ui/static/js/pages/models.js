// Model definitions: the list, and a form to create one or edit the one in the URL.

import { ApiError, api } from "../api.js";
import { field, h, view } from "../dom.js";
import { formError, showError, submitting } from "../forms.js";

const PROVIDERS = ["openai", "azure_openai", "anthropic", "mistral", "gemini", "cohere", "bedrock", "mock"];

export async function modelsPage(id) {
  const show = view();
  const [models, secrets, current] = await Promise.all([api.models(), api.secrets(), id ? api.model(id) : null]);
  show(
    h("h1", {}, "Model definitions"),
    models.length ? table(models) : h("p", { class: "muted" }, "No model definition yet."),
    h("h2", { id: "model-form-title" }, current ? `Edit ${current.name}` : "New model definition"),
    modelForm(current, secrets),
  );
}

function table(models) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { "aria-label": "Model definitions" },
      h("thead", {}, h("tr", {}, ["Name", "Provider", "Model name", "Secret", "API base", ""].map((t) => h("th", { scope: "col" }, t)))),
      h(
        "tbody",
        {},
        models.map((m) =>
          h(
            "tr",
            {},
            h("th", { scope: "row" }, m.name),
            h("td", {}, m.provider),
            h("td", {}, m.model_name),
            h("td", {}, m.orphaned ? h("span", { class: "badge orphaned" }, "orphaned") : m.secret_name || h("span", { class: "muted" }, "none")),
            h("td", {}, m.api_base || h("span", { class: "muted" }, "default")),
            h("td", {}, h("a", { href: `#/models/${encodeURIComponent(m.model_definition_id)}`, "aria-label": `Edit ${m.name}` }, "Edit")),
          ),
        ),
      ),
    ),
  );
}

function modelForm(current, secrets) {
  const input = (name, attrs = {}) => h("input", { name, "data-field": name, autocomplete: "off", value: current ? current[name] ?? "" : "", ...attrs });
  const provider = input("provider", { list: "providers", required: true });
  const secret = h(
    "select",
    { name: "secret_id", "data-field": "secret_id" },
    h("option", { value: "" }, "No secret"),
    secrets.map((s) => h("option", { value: s.secret_id, selected: current && current.secret_id === s.secret_id }, `${s.name} (${s.masked_value})`)),
  );
  const settings = h(
    "textarea",
    { name: "provider_settings", "data-field": "provider_settings", rows: 3 },
    current ? JSON.stringify(current.provider_settings, null, 2) : "{}",
  );
  const form = h(
    "form",
    { "aria-labelledby": "model-form-title", novalidate: true },
    formError(),
    h(
      "div",
      { class: "grid-form" },
      field("model-name", "Name", input("name", { required: true })),
      field("model-provider", "Provider", provider, "mock needs no key"),
      field("model-model-name", "Model name", input("model_name", { required: true }), "The provider's name, e.g. gpt-4o-mini"),
      field("model-secret", "Secret", secret),
      field("model-api-base", "API base", input("api_base", { placeholder: "provider default" })),
    ),
    h("datalist", { id: "providers" }, PROVIDERS.map((p) => h("option", { value: p }))),
    field("model-settings", "Provider settings (JSON)", settings),
    h(
      "div",
      { class: "row" },
      h("button", { type: "submit" }, current ? "Save model definition" : "Create model definition"),
      current ? h("a", { href: "#/models" }, "Cancel") : null,
      current ? h("button", { type: "button", class: "danger", onclick: () => remove(current) }, "Delete") : null,
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitting(form, async () => {
      const body = bodyOf(form, settings);
      if (!body) return;
      if (current) await api.updateModel(current.model_definition_id, body);
      else await api.createModel(body);
      window.location.hash = "#/models";
      if (!current) await modelsPage(null);
    });
  });
  return form;
}

function bodyOf(form, settings) {
  let provider_settings;
  try {
    provider_settings = JSON.parse(settings.value || "{}");
  } catch {
    showError(form, new ApiError(400, "INVALID_PARAMETER_VALUE", "provider_settings: is not valid JSON"));
    return null;
  }
  const value = (name) => form.elements[name].value.trim();
  return {
    name: value("name"),
    provider: value("provider"),
    model_name: value("model_name"),
    secret_id: value("secret_id") || null,
    api_base: value("api_base") || null,
    provider_settings,
  };
}

async function remove(model) {
  if (!window.confirm(`Delete model definition ${model.name}? Endpoints lose this model.`)) return;
  try {
    await api.deleteModel(model.model_definition_id);
  } catch (error) {
    window.alert(`Not deleted: ${error.message}`);
    return;
  }
  window.location.hash = "#/models";
}
