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

// Signed in: only "Signed in as …" and Forget; otherwise the box to paste a token into.
function entry(signedIn) {
  const box = document.getElementById("xlt-token-entry");
  const forget = document.getElementById("xlt-token-forget");
  if (box && forget) {
    box.classList.toggle("d-none", signedIn);
    forget.classList.toggle("d-none", !localStorage.getItem(KEY));
  }
}

// Ask the server who the saved token belongs to (GET /xltools/whoami).
async function refresh() {
  if (!localStorage.getItem(KEY)) {
    show("Not signed in.");
    entry(false);
    return;
  }
  const auth = await globalThis.getAuth();
  try {
    const response = await fetch(window.location.origin + config.appPath + "/xltools/whoami", {
      headers: { Authorization: auth.token, "Auth-Provider": auth.provider },
    });
    const data = await response.json();
    if (response.ok) {
      show(`Signed in as ${data.name} (${data.roles.join(", ") || "no role"}).`);
    } else {
      show(data.detail || "The server did not accept this token.");
    }
    entry(response.ok);
  } catch (error) {
    show("A token is saved, but the server did not answer.");
    entry(false);
  }
}

function setup() {
  const input = document.getElementById("xlt-token");
  const save = document.getElementById("xlt-token-save");
  const forget = document.getElementById("xlt-token-forget");
  if (!input || !save || !forget) {
    return;
  }
  refresh();
  save.addEventListener("click", () => {
    const token = input.value.trim();
    if (!token) {
      show("Paste the token your PMO or IT gave you, then press Save.");
      return;
    }
    localStorage.setItem(KEY, token);
    input.value = "";
    refresh();
  });
  forget.addEventListener("click", () => {
    localStorage.removeItem(KEY);
    show("Forgotten. Not signed in.");
    entry(false);
  });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", setup);
} else {
  setup();
}
