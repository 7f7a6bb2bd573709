// xltools: the task pane's "Sign in" card (shown when the server uses tokens).
// The token is kept in this add-in's local storage under "xltools.token" and
// sent by auth.js with every call; "Forget" removes it. No inline script and
// no window.prompt (Office add-ins do not support it).
const KEY = "xltools.token";

function show(text) {
  const status = document.getElementById("xlt-signin-status");
  if (status) {
    status.textContent = text;
  }
}

function setup() {
  const input = document.getElementById("xlt-token");
  const save = document.getElementById("xlt-token-save");
  const forget = document.getElementById("xlt-token-forget");
  if (!input || !save || !forget) {
    return;
  }
  show(localStorage.getItem(KEY) ? "A token is saved for this add-in." : "Not signed in.");
  save.addEventListener("click", () => {
    const token = input.value.trim();
    if (!token) {
      show("Paste the token your PMO or IT gave you, then press Save.");
      return;
    }
    localStorage.setItem(KEY, token);
    input.value = "";
    show("Saved. The buttons and cell functions now use it.");
  });
  forget.addEventListener("click", () => {
    localStorage.removeItem(KEY);
    show("Forgotten. Not signed in.");
  });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", setup);
} else {
  setup();
}
