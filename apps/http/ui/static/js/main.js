// The console's entry point: hash routes (the key never goes in a URL), sign-in and the 403 page.

import { ApiError, session } from "./api.js";
import { h, isCurrent, navigate, render } from "./dom.js";
import { endpointForm } from "./pages/endpoint_form.js";
import { endpointPage } from "./pages/endpoint.js";
import { endpointsPage } from "./pages/endpoints.js";
import { forbiddenPage, signInPage } from "./pages/signin.js";
import { modelsPage } from "./pages/models.js";
import { secretsPage } from "./pages/secrets.js";
import { usagePage } from "./pages/usage.js";

const ROUTES = [
  [/^endpoints$/, "endpoints", (_, q) => endpointsPage(q)],
  [/^endpoints\/new$/, "endpoints", () => endpointForm(null)],
  [/^endpoints\/([^/]+)\/edit$/, "endpoints", ([id]) => endpointForm(id)],
  [/^endpoints\/([^/]+)$/, "endpoints", ([id]) => endpointPage(id)],
  [/^models$/, "models", (_, q) => modelsPage(null, q)],
  [/^models\/([^/]+)$/, "models", ([id]) => modelsPage(id)],
  [/^secrets$/, "secrets", () => secretsPage(null)],
  [/^secrets\/([^/]+)$/, "secrets", ([id]) => secretsPage(id)],
  [/^usage$/, "usage", (_, q) => usagePage(q)],
];

function parseHash() {
  const raw = window.location.hash.replace(/^#\/?/, "");
  const [path, query] = raw.split("?");
  return { path: decodeURIComponent(path || ""), query: new URLSearchParams(query || "") };
}

function showChrome(signedIn, section) {
  document.getElementById("nav").hidden = !signedIn;
  document.getElementById("sign-out").hidden = !signedIn;
  for (const link of document.querySelectorAll("#nav a")) {
    if (link.dataset.section === section) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

async function route() {
  const id = navigate();
  const { path, query } = parseHash();
  if (path === "forbidden") {
    showChrome(false);
    return forbiddenPage();
  }
  if (!session.key() || path === "signin") {
    showChrome(false);
    return signInPage();
  }
  const match = ROUTES.map(([pattern, section, page]) => [pattern.exec(path), section, page]).find(([m]) => m);
  if (!match) {
    window.location.hash = "#/endpoints";
    return undefined;
  }
  const [found, section, page] = match;
  showChrome(true, section);
  try {
    return await page(found.slice(1).map(decodeURIComponent), query);
  } catch (error) {
    return isCurrent(id) ? failed(error) : undefined;
  }
}

/** What a page could not load: 401 back to sign-in, 403 the admin-key page, else the message. */
export function failed(error) {
  if (error instanceof ApiError && error.status === 401) {
    session.signOut();
    showChrome(false);
    return signInPage("That key is not valid (any more). Sign in again.");
  }
  if (error instanceof ApiError && error.status === 403) {
    session.signOut();
    window.location.hash = "#/forbidden";
    return undefined;
  }
  console.error(error);
  return render(h("h1", {}, "Something went wrong"), h("p", { class: "form-error" }, error.message || String(error)));
}

document.getElementById("sign-out").addEventListener("click", () => {
  session.signOut();
  window.location.hash = "#/signin";
  route();
});
window.addEventListener("hashchange", route);
route();
