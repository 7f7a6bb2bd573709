// xltools: who is calling. Replaces xlwings Server's auth.js (same URL; the
// project's static folder wins). Every call the add-in makes (task pane
// buttons, ribbon buttons, cell functions) asks globalThis.getAuth() for the
// Authorization header and the Auth-Provider header.
//
// - "tokens": the xltools token the person pasted into the task pane once,
//   kept in this add-in's local storage (see signin.js);
// - "entraid": Microsoft 365 single sign-on (xlwings.getAccessToken);
// - no provider configured (the server only answers on its own machine): none.
const XLTOOLS_TOKEN_KEY = "xltools.token";

globalThis.getAuth = async function () {
  const providers = (globalThis.config && config.authProviders) || [];
  const saved = globalThis.localStorage
    ? localStorage.getItem(XLTOOLS_TOKEN_KEY)
    : null;
  if (providers.includes("tokens") && (saved || !providers.includes("entraid"))) {
    return { token: saved ? "Bearer " + saved : "", provider: "tokens" };
  }
  if (providers.includes("entraid")) {
    return { token: await xlwings.getAccessToken(), provider: "entraid" };
  }
  return { token: "", provider: "" };
};
