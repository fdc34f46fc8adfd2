// Secrets: the value is typed once and sent; afterwards only its masked form is ever shown.

import { api } from "../api.js";
import { field, h, view } from "../dom.js";
import { formError, submitting } from "../forms.js";

export async function secretsPage(id, notice) {
  const show = view();
  const [secrets, current] = await Promise.all([api.secrets(), id ? api.secret(id) : null]);
  show(
    h("h1", {}, "Secrets"),
    notice ? h("p", { class: "notice", role: "status" }, notice) : null,
    secrets.length ? table(secrets) : h("p", { class: "muted" }, "No secret yet."),
    h("h2", { id: "secret-form-title" }, current ? `Edit ${current.name}` : "New secret"),
    secretForm(current),
  );
}

function table(secrets) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { "aria-label": "Secrets" },
      h("thead", {}, h("tr", {}, ["Name", "Value", "Provider", ""].map((t) => h("th", { scope: "col" }, t)))),
      h(
        "tbody",
        {},
        secrets.map((s) =>
          h(
            "tr",
            {},
            h("th", { scope: "row" }, s.name),
            h("td", {}, h("code", {}, s.masked_value)),
            h("td", {}, s.provider || h("span", { class: "muted" }, "any")),
            h("td", {}, h("a", { href: `#/secrets/${encodeURIComponent(s.secret_id)}`, "aria-label": `Edit ${s.name}` }, "Edit")),
          ),
        ),
      ),
    ),
  );
}

function secretForm(current) {
  const name = h("input", { name: "name", "data-field": "name", autocomplete: "off", required: true, value: current ? current.name : "" });
  const value = h("input", {
    name: "value",
    type: "password",
    "data-field": "value",
    autocomplete: "new-password",
    required: !current,
    placeholder: current ? `unchanged (${current.masked_value})` : "",
  });
  const provider = h("input", { name: "provider", "data-field": "provider", list: "secret-providers", autocomplete: "off", value: current ? current.provider ?? "" : "" });
  const form = h(
    "form",
    { "aria-labelledby": "secret-form-title", novalidate: true },
    formError(),
    h(
      "div",
      { class: "grid-form" },
      field("secret-name", "Name", name),
      field("secret-value", current ? "New value" : "Value", value, "Sent once and stored encrypted; it is never shown again."),
      field("secret-provider", "Provider", provider, "Optional"),
    ),
    h("datalist", { id: "secret-providers" }, ["openai", "azure_openai", "anthropic", "mistral", "gemini", "cohere", "bedrock"].map((p) => h("option", { value: p }))),
    h(
      "div",
      { class: "row" },
      h("button", { type: "submit" }, current ? "Save secret" : "Create secret"),
      current ? h("a", { href: "#/secrets" }, "Cancel") : null,
      current ? h("button", { type: "button", class: "danger", onclick: () => remove(current) }, "Delete") : null,
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitting(form, async () => {
      const body = { name: name.value.trim(), provider: provider.value.trim() || null };
      if (value.value || !current) body.value = value.value;
      const saved = current ? await api.updateSecret(current.secret_id, body) : await api.createSecret(body);
      value.value = ""; // the value leaves the page as soon as the server has it
      if (window.location.hash !== "#/secrets") window.history.replaceState(null, "", "#/secrets");
      await secretsPage(null, `Saved ${saved.name}: stored as ${saved.masked_value}.`);
    });
  });
  return form;
}

async function remove(secret) {
  if (!window.confirm(`Delete secret ${secret.name}? Model definitions using it become orphaned.`)) return;
  try {
    await api.deleteSecret(secret.secret_id);
  } catch (error) {
    window.alert(`Not deleted: ${error.message}`);
    return;
  }
  window.location.hash = "#/secrets";
}
