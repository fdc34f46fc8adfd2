// API validation errors shown beside the field they name ("fallback_config.max_attempts: ...").

import { ApiError } from "./api.js";
import { h } from "./dom.js";

const generic = (path) => path.replace(/\[\d+\]/g, "");

/** The input a field path names: exact first, then ignoring list indices, then its parents. */
function inputFor(form, path) {
  const inputs = [...form.querySelectorAll("[data-field]")];
  let candidate = path;
  while (candidate) {
    const exact = inputs.find((el) => el.dataset.field === candidate);
    if (exact) return exact;
    const loose = inputs.find((el) => generic(el.dataset.field) === generic(candidate));
    if (loose) return loose;
    const child = inputs.find((el) => generic(el.dataset.field).startsWith(`${generic(candidate)}.`));
    if (child) return child;
    const cut = Math.max(candidate.lastIndexOf("."), candidate.lastIndexOf("["));
    candidate = cut > 0 ? candidate.slice(0, cut) : "";
  }
  return null;
}

export function clearErrors(form) {
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  for (const el of form.querySelectorAll(".field-error")) el.textContent = "";
  const box = form.querySelector(".form-error");
  if (box) box.textContent = "";
}

/** Put an API error beside its field (or at the top of the form); rethrow what is not an API error. */
export function showError(form, error) {
  if (!(error instanceof ApiError)) throw error;
  clearErrors(form);
  const input = error.field ? inputFor(form, error.field) : null;
  const slot = input && document.getElementById(`${input.id}-error`);
  if (slot) {
    input.setAttribute("aria-invalid", "true");
    slot.textContent = error.message;
    input.focus();
    return;
  }
  const box = form.querySelector(".form-error");
  box.textContent = error.message;
  box.focus();
}

export function formError() {
  return h("div", { class: "form-error", role: "alert", tabindex: "-1" });
}

/** Run `action` with the submit button disabled; errors go beside their fields. */
export async function submitting(form, action) {
  const button = form.querySelector("button[type=submit]");
  clearErrors(form);
  if (button) button.disabled = true;
  try {
    return await action();
  } catch (error) {
    showError(form, error);
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}
