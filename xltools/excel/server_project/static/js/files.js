// xltools: the task pane's "Last run" card, the buttons a person may use, and
// "Upload returns". No inline script, no innerHTML with server text.
//
// - Last run: GET /xltools/last-run after each button (task pane or ribbon)
//   shows the answer and its download links; "working…" while a button runs.
// - Downloads need the sign-in header, so a link is fetched here and saved
//   from memory (a blob), not opened as a bare URL. Each link works once.
// - Roles: GET /xltools/whoami; a button (or card) whose data-roles holds none
//   of the person's roles is hidden — before sign-in (and with a wrong token) all of
//   them: only what anyone may use shows. The server refuses them anyway.
// - Upload: POST /xltools/upload (multipart, field "files", and field "master": the
//   open workbook's Settings and Lists values, so each return is checked against its
//   plan and quarter as Consolidate checks it); each file's accepted/refused and reason
//   are listed, an accepted one with Remove (POST /xltools/upload/remove).
// - The choices beside the buttons: As of (Flag stale, Consolidate), Adopt returns
//   (Consolidate), Carry problems and No returns this quarter (Next quarter), sent as the
//   script's arguments (xw-args) or, by file, in the URL.
// - The buttons that only make files go by file: xltoolsRunByFile (below).

function base() {
  return window.location.origin + ((globalThis.config && config.appPath) || "");
}

async function authHeaders() {
  const auth =
    typeof globalThis.getAuth === "function"
      ? await globalThis.getAuth()
      : { token: "", provider: "" };
  const headers = { "Auth-Provider": auth.provider || "" };
  if (auth.token) {
    headers.Authorization = auth.token;
  }
  return headers;
}

// Tokens are in use but none is saved: every route would answer 401 (and the browser
// would log each as an error), so the pane asks nothing until someone signs in.
function signedOut(headers) {
  return headers["Auth-Provider"] === "tokens" && !headers.Authorization;
}

function byId(id) {
  return document.getElementById(id);
}

function setText(id, text) {
  const element = byId(id);
  if (element) {
    element.textContent = text;
  }
}

function working() {
  setText("xlt-result-status", "Working… (a big master can take a minute)");
}

async function download(link, item) {
  const response = await fetch(link.url, { headers: await authHeaders() });
  if (!response.ok) {
    const data = await response.json().catch(() => ({}));
    item.textContent = `${link.name}: ${data.detail || "download refused"}`;
    return;
  }
  const blob = await response.blob();
  const anchor = document.createElement("a");
  anchor.href = URL.createObjectURL(blob);
  anchor.download = link.name;
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(anchor.href), 60000);
  item.textContent = `${link.name}: downloaded (the link is now used up).`;
}

function showResult(data) {
  const list = byId("xlt-result-links");
  if (!data || !data.title) {
    return;
  }
  setText("xlt-result-status", `At ${data.at}:`);
  setText("xlt-result-title", data.title);
  const message = byId("xlt-result-message");
  if (message) {
    // the message without the link lines (they are buttons below)
    message.textContent = data.message.split("\nDownload from the xltools task pane")[0];
    message.style.whiteSpace = "pre-wrap";
  }
  showCounts(data.counts || {});
  if (!list) {
    return;
  }
  list.replaceChildren();
  for (const link of data.links || []) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-link btn-sm p-0 text-start";
    const kb = Math.max(1, Math.round(link.size / 1024));
    button.textContent = `Download ${link.name} (${kb} KB; once, within ${link.minutes} min)`;
    button.addEventListener("click", () => download(link, item));
    item.appendChild(button);
    list.appendChild(item);
  }
}

function showCounts(counts) {
  const table = byId("xlt-result-counts");
  if (!table) {
    return;
  }
  table.replaceChildren();
  for (const [name, value] of Object.entries(counts)) {
    const row = table.insertRow();
    row.insertCell().textContent = name;
    const cell = row.insertCell();
    cell.textContent = String(value);
    cell.className = "text-end";
  }
  table.classList.toggle("d-none", !Object.keys(counts).length);
}

async function refreshResult() {
  const headers = await authHeaders();
  if (signedOut(headers)) {
    clearResult();
    return;
  }
  try {
    const response = await fetch(base() + "/xltools/last-run", { headers });
    const data = response.ok ? await response.json() : {};
    if (data.title) {
      showResult(data);
    } else {
      clearResult(); // e.g. someone else signed in on this pane
    }
  } catch (error) {
    setText("xlt-result-status", "The server did not answer.");
  }
}

// roles: the person's role names; null when the server has no sign-in (this machine
// only): then everything is everyone's.
function applyRoles(roles) {
  for (const element of document.querySelectorAll("[data-roles]")) {
    const wanted = element.dataset.roles.split(",").filter((r) => r);
    const allowed = roles === null || !wanted.length || wanted.some((r) => roles.includes(r));
    element.classList.toggle("d-none", !allowed);
  }
  for (const group of document.querySelectorAll(".xlt-group")) {
    const shown = group.querySelector("[xw-click]:not(.d-none)");
    group.classList.toggle("d-none", !shown);
  }
}

async function showOnlyMyButtons() {
  try {
    const headers = await authHeaders();
    if (signedOut(headers)) {
      applyRoles([]);
      return;
    }
    const response = await fetch(base() + "/xltools/whoami", { headers });
    if (!response.ok) {
      applyRoles([]); // a wrong or revoked token: the Sign in card says so
      return;
    }
    const me = await response.json();
    applyRoles(me.signed_in ? me.roles : null);
  } catch (error) {
    // the server is unreachable: leave the buttons; it refuses what is not allowed
  }
}

// The open workbook's Settings and Lists values (the plan the returns are checked
// against); null when Excel cannot give them (the server then asks for the master).
async function openWorkbookPlan() {
  if (!globalThis.Excel || typeof Excel.run !== "function") {
    return null;
  }
  try {
    return await Excel.run(async (context) => {
      const grids = {};
      for (const name of ["Settings", "Lists"]) {
        const sheet = context.workbook.worksheets.getItemOrNullObject(name);
        sheet.load("isNullObject");
        await context.sync();
        if (sheet.isNullObject) {
          continue;
        }
        const used = sheet.getUsedRangeOrNullObject(true);
        used.load("values");
        await context.sync();
        if (!used.isNullObject) {
          grids[name] = used.values;
        }
      }
      return grids;
    });
  } catch (error) {
    return null;
  }
}

async function uploadFiles(files) {
  const list = byId("xlt-upload-list");
  const form = new FormData();
  for (const file of files) {
    form.append("files", file, file.name);
  }
  list.replaceChildren();
  const note = document.createElement("li");
  note.textContent = `Checking ${files.length} file(s)…`;
  list.appendChild(note);
  const grids = await openWorkbookPlan();
  if (grids) {
    form.append("master", JSON.stringify(grids));
  }
  let data = {};
  let ok = false;
  try {
    const response = await fetch(base() + "/xltools/upload", {
      method: "POST",
      headers: await authHeaders(),
      body: form,
    });
    ok = response.ok;
    data = await response.json().catch(() => ({}));
  } catch (error) {
    data = { detail: "The server did not answer." };
  }
  list.replaceChildren();
  if (!ok) {
    note.textContent = data.detail || "The upload was refused.";
    list.appendChild(note);
    return;
  }
  note.textContent = uploadSummary(data);
  list.appendChild(note);
  for (const file of data.files) {
    list.appendChild(uploadLine(file));
  }
}

function uploadSummary(data) {
  if (!data.refused) {
    return data.accepted === 1 ? "1 file accepted." : `All ${data.accepted} files accepted.`;
  }
  if (!data.accepted) {
    return data.refused === 1 ? "The file was refused." : `All ${data.refused} files were refused.`;
  }
  return `${data.accepted} accepted, ${data.refused} refused.`;
}

function uploadLine(file) {
  const item = document.createElement("li");
  item.className = file.accepted ? "text-success" : "text-danger";
  const mark = file.accepted ? "✓" : "✗";
  const saved = file.accepted && file.saved_as !== file.file ? ` (kept as ${file.saved_as})` : "";
  const text = document.createElement("span");
  text.textContent = `${mark} ${file.file}${saved}: ${file.reason}`;
  item.appendChild(text);
  if (file.accepted) {
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "btn btn-link btn-sm p-0 ms-1 align-baseline xlt-remove";
    remove.textContent = "Remove";
    remove.addEventListener("click", () => removeUpload(file, item, remove));
    item.appendChild(remove);
  }
  return item;
}

async function removeUpload(file, item, button) {
  button.disabled = true;
  let data = {};
  let ok = false;
  try {
    const response = await fetch(base() + "/xltools/upload/remove", {
      method: "POST",
      headers: { ...(await authHeaders()), "Content-Type": "application/json" },
      body: JSON.stringify({ file: file.saved_as, kind: file.kind }),
    });
    ok = response.ok;
    data = await response.json().catch(() => ({}));
  } catch (error) {
    data = { detail: "The server did not answer." };
  }
  if (!ok) {
    button.disabled = false;
    button.title = data.detail || "Not removed.";
    button.textContent = "Remove (not removed — try again)";
    return;
  }
  item.className = "text-muted";
  item.replaceChildren(`— ${data.message}`);
}

function setupUpload() {
  const input = byId("xlt-upload");
  const card = byId("xlt-upload-card");
  if (!input || !card) {
    return;
  }
  input.addEventListener("change", () => {
    if (input.files.length) {
      uploadFiles(Array.from(input.files));
      input.value = "";
    }
  });
  card.addEventListener("dragover", (event) => {
    event.preventDefault();
    card.classList.add("border-primary");
  });
  card.addEventListener("dragleave", () => card.classList.remove("border-primary"));
  card.addEventListener("drop", (event) => {
    event.preventDefault();
    card.classList.remove("border-primary");
    const files = Array.from(event.dataTransfer.files || []);
    if (files.length) {
      uploadFiles(files);
    }
  });
}

// A task pane button is busy while xlwings' click handler has it disabled.
function watchButtons() {
  for (const button of document.querySelectorAll("[xw-click]")) {
    new MutationObserver(() => {
      if (button.hasAttribute("disabled")) {
        working();
      } else {
        refreshResult();
      }
    }).observe(button, { attributes: true, attributeFilter: ["disabled"] });
  }
  // the ribbon's buttons (ribbon.js) announce their start and end
  document.addEventListener("xltools:start", working);
  document.addEventListener("xltools:done", refreshResult);
}

// The buttons that only make files from the master go "by file" where Office can
// (Excel with Office.js: on the web, Windows, Mac): the same list as the server's
// xltools.excel.by_file.SCRIPTS (a test checks). The workbook *file* goes to POST
// /xltools/run-file/<script>, not its values: Excel on the web caps a request at
// 5 MB and a big master's values are more. Read with getFileAsync in 4 MB slices
// (the most Office allows), joined into one Blob; the file is closed again (Office
// keeps at most two open). The answer (counts, the files as downloads) shows in
// Last run; the open workbook is not changed. The ribbon (ribbon.js) and the task
// pane's buttons both come here; false: not a by-file script, or Office cannot give
// the file, so the caller runs the in-book script instead. The answer also comes up
// as an alert, as every in-book script's does (from the ribbon, the task pane may
// be closed).
const XLTOOLS_BY_FILE = [
  "consolidate",
  "issue_returns",
  "issue_savings_returns",
  "next_quarter",
  "chase_officers",
  "reconcile_savings",
];
globalThis.XLTOOLS_BY_FILE = XLTOOLS_BY_FILE;

// The choices beside each button: the script's arguments in order, by the names the
// by-file route takes them (xltools.excel.by_file.run).
const CHOICES = {
  flag_stale: [["as_of", "xlt-as-of"]],
  consolidate: [
    ["as_of", "xlt-as-of"],
    ["adopt_returns", "xlt-adopt"],
  ],
  next_quarter: [
    ["carry_problems", "xlt-carry"],
    ["unconsolidated", "xlt-unconsolidated"],
  ],
};

function choice(id) {
  const input = byId(id);
  if (input && input.type === "checkbox") {
    return Boolean(input.checked);
  }
  return (input && input.value) || "";
}

// What the person chose beside a button, as the script's arguments (in order).
function scriptArgs(script) {
  return (CHOICES[script] || []).map(([, id]) => choice(id));
}
globalThis.xltoolsScriptArgs = scriptArgs;

// The same choices for a by-file call, as URL parameters (a ticked box is 1; what is
// empty or not ticked is left out).
function scriptOptions(script) {
  const values = scriptArgs(script);
  return (CHOICES[script] || [])
    .map(([name], i) => [name, values[i]])
    .filter(([, value]) => value)
    .map(([name, value]) => `&${name}=${value === true ? "1" : encodeURIComponent(value)}`)
    .join("");
}

const CARRY_SAID = {
  false:
    "Not ticked: if an action has an unresolved conflict or invalid value, Next quarter " +
    "stops and lists them for you to resolve in this master first.",
  true:
    "Ticked: those actions go into next quarter flagged CARRIED, with the disputed or " +
    "invalid update kept in Previous progress, until you resolve them there.",
};

const UNCONSOLIDATED_SAID = {
  false:
    "Not ticked: Next quarter stops if no returns were consolidated into this master " +
    "this quarter (press Consolidate first).",
  true:
    "Ticked: this quarter had no returns; next quarter is built from this master as it " +
    "is, and its answer says so.",
};

const ADOPT_SAID = {
  false:
    "Not ticked: returns issued from another master are not merged; the answer names " +
    "them and says why.",
  true:
    "Ticked: returns issued from an earlier master of this plan (re-imported) are merged " +
    "when their organisation, department, title, quarter and every action ID match; each " +
    "is named in the Log as adopted.",
};

// Each box says what ticking it does, in words, beside it.
function setupChoices() {
  for (const [id, said] of [
    ["xlt-carry", CARRY_SAID],
    ["xlt-unconsolidated", UNCONSOLIDATED_SAID],
    ["xlt-adopt", ADOPT_SAID],
  ]) {
    const box = byId(id);
    if (box) {
      const say = () => setText(`${id}-said`, said[box.checked]);
      box.addEventListener("change", say);
      say();
    }
  }
}

function canSendFile() {
  const doc = globalThis.Office && Office.context && Office.context.document;
  return Boolean(doc && typeof doc.getFileAsync === "function");
}

function readWorkbookFile(doc) {
  const xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  const failed = (result) => result.status !== Office.AsyncResultStatus.Succeeded;
  return new Promise((resolve, reject) => {
    doc.getFileAsync(Office.FileType.Compressed, { sliceSize: 4194304 }, (opened) => {
      if (failed(opened)) {
        return reject(opened.error);
      }
      const file = opened.value;
      const parts = [];
      const next = (index) => {
        if (index >= file.sliceCount) {
          file.closeAsync();
          return resolve(new Blob(parts, { type: xlsx }));
        }
        file.getSliceAsync(index, (slice) => {
          if (failed(slice)) {
            file.closeAsync();
            return reject(slice.error);
          }
          parts.push(new Uint8Array(slice.value.data));
          next(index + 1);
        });
      };
      next(0);
    });
  });
}

function workbookName(doc) {
  let name = (doc.url || "").split(/[?#]/)[0].split(/[\\/]/).pop();
  try {
    name = decodeURIComponent(name);
  } catch (error) {
    // a name that is not URL-encoded: sent as it is (the server cleans it)
  }
  return name || "master.xlsx";
}

// What did not happen, as the server titles it (book_jobs.REFUSED, on the button).
function refusedTitle(script) {
  const button =
    typeof document.querySelector === "function"
      ? document.querySelector(`[xw-click="${script}"]`)
      : null;
  const label = script.replaceAll("_", " ");
  return (
    (button && button.dataset.refused) ||
    `${label.charAt(0).toUpperCase()}${label.slice(1)} did not run`
  );
}

async function xltoolsRunByFile(script) {
  if (!XLTOOLS_BY_FILE.includes(script) || !canSendFile()) {
    return false;
  }
  const doc = Office.context.document;
  globalThis.xltoolsByFileRunning = globalThis.xltoolsByFileRunning || {};
  if (globalThis.xltoolsByFileRunning[script]) {
    return true; // a second press while the first is still running: one is enough
  }
  globalThis.xltoolsByFileRunning[script] = true;
  const title = refusedTitle(script);
  let data;
  setText("xlt-result-status", "Working… sending the workbook file to the server");
  try {
    const body = await readWorkbookFile(doc);
    const name = encodeURIComponent(workbookName(doc));
    const url = `${base()}/xltools/run-file/${script}?name=${name}${scriptOptions(script)}`;
    const headers = { ...(await authHeaders()), "Content-Type": body.type };
    const response = await fetch(url, { method: "POST", headers, body });
    data = await response.json().catch(() => ({}));
    if (!data.title) {
      data = { title, message: data.detail || `The server refused (${response.status}).` };
    }
  } catch (error) {
    const why = (error && error.message) || String(error);
    data = { title, message: `Excel could not send the workbook file: ${why}` };
  }
  globalThis.xltoolsByFileRunning[script] = false;
  showResult({ counts: {}, links: [], ...data, at: data.at || new Date().toLocaleString() });
  await alertAnswer(data, data.title.startsWith("xltools: ") ? "info" : "critical");
  return true;
}
globalThis.xltoolsRunByFile = xltoolsRunByFile;
// Consolidate's first name (kept for callers of the old name)
globalThis.xltoolsConsolidateByFile = () => xltoolsRunByFile("consolidate");

// xlwings Server's own alert dialog (its static/js/alerts/parent.js), as its scripts'
// alerts; loaded when first needed. No dialog (an old host): the Last run card has it.
async function alertAnswer(data, mode) {
  try {
    const { xlAlert } = await import("./alerts/parent.js");
    await xlAlert(data.message || "", data.title, "ok", mode, "");
  } catch (error) {
    console.warn("xltools: no alert dialog", error);
  }
}
// After "Forget" (a shared PC, the next person): nothing of the last person's stays on
// the pane — their answer, download links and uploads go, and only what anyone may use
// shows until the next person signs in.
function forgetPerson() {
  applyRoles([]);
  byId("xlt-upload-list")?.replaceChildren();
  clearResult();
}

function clearResult() {
  for (const id of ["xlt-result-title", "xlt-result-message"]) {
    setText(id, "");
  }
  byId("xlt-result-links")?.replaceChildren();
  showCounts({});
  setText("xlt-result-status", "Nothing run yet.");
}

function setup() {
  // the task pane's by-file buttons: by file where Office can (before xlwings' handler)
  document.addEventListener(
    "click",
    (event) => {
      const button = event.target.closest && event.target.closest("[xw-click]");
      const script = button && button.getAttribute("xw-click");
      if (script) {
        // in the workbook (xlwings' handler, next): the choices as the script's arguments
        button.setAttribute("xw-args", JSON.stringify(scriptArgs(script)));
      }
      if (script && XLTOOLS_BY_FILE.includes(script) && canSendFile()) {
        event.stopImmediatePropagation();
        event.preventDefault();
        xltoolsRunByFile(script);
      }
    },
    true,
  );
  watchButtons();
  setupUpload();
  setupChoices();
  showOnlyMyButtons();
  refreshResult();
  // signin.js has saved (or removed) the token by the time these run: its handlers
  // were added first
  byId("xlt-token-save")?.addEventListener("click", () => {
    showOnlyMyButtons();
    refreshResult();
  });
  byId("xlt-token-forget")?.addEventListener("click", forgetPerson);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", setup);
} else {
  setup();
}
