// Sign in with an admin key (kept in this tab's sessionStorage only) and the 403 page for other keys.

import { ApiError, api, session } from "../api.js";
import { field, h, render } from "../dom.js";
import { clearErrors, formError, showError } from "../forms.js";

export function signInPage(message) {
  const key = h("input", {
    type: "password",
    name: "key",
    autocomplete: "off",
    spellcheck: "false",
    required: true,
    "data-field": "key",
  });
  const form = h(
    "form",
    { class: "card signin", "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title" }, "Sign in"),
    h("p", { class: "muted" }, "Use an admin key. It stays in this browser tab and is sent only to this server."),
    message ? h("p", { class: "form-error", role: "alert" }, message) : null,
    formError(),
    field("admin-key", "Admin key", key),
    h("button", { type: "submit" }, "Sign in"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const value = key.value.trim();
    try {
      await api.check(value);
    } catch (error) {
      if (error instanceof ApiError && error.status === 403) {
        window.location.hash = "#/forbidden";
        return;
      }
      if (error instanceof ApiError && error.status === 401) {
        showError(form, new ApiError(401, error.code, `key: ${error.message}`));
        return;
      }
      showError(form, error);
      return;
    }
    session.signIn(value);
    key.value = "";
    if (window.location.hash === "#/endpoints") window.dispatchEvent(new HashChangeEvent("hashchange"));
    else window.location.hash = "#/endpoints";
  });
  render(form);
  key.focus();
}

export function forbiddenPage() {
  render(
    h(
      "section",
      { class: "card forbidden", "aria-labelledby": "forbidden-title" },
      h("h1", { id: "forbidden-title" }, "403 — this key is not an admin key"),
      h(
        "p",
        {},
        "The gateway accepted the key, but it is a user key: it may call endpoints, not manage them. ",
        "The console needs an admin key (",
        h("code", {}, "switchboard keys create --role admin"),
        ").",
      ),
      h("a", { class: "button", href: "#/signin" }, "Sign in with another key"),
    ),
  );
}
