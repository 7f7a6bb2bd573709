// xltools ribbon: each button in manifest.xml runs one xlwings Server script.
// The manifest's <FunctionName> is "xltools-" + the script name with dashes
// (xltools.addin.buttons.Button.function_name); tests check both lists match.
const XLTOOLS_SCRIPTS = [
  "check_return",
  "issue_returns",
  "consolidate",
  "flag_stale",
  "chase_officers",
  "refresh_dashboard",
  "next_quarter",
  "reconcile_savings",
  "issue_savings_returns",
];

// Each script's @script(include=...) sheet list, as the task pane reads it: the
// ribbon sends only those sheets too (a big master would exceed Excel on the
// web's 5 MB request limit). Fetched once, relative to this page.
let xltoolsScriptsMeta = null;

async function xltoolsSheetsFor(scriptName) {
  if (xltoolsScriptsMeta === null) {
    const url = new URL("xlwings/custom-scripts-meta.json", document.baseURI);
    const response = await fetch(url);
    xltoolsScriptsMeta = response.ok ? await response.json() : [];
  }
  const meta = xltoolsScriptsMeta.find((m) => m.function_name === scriptName) || {};
  return { include: meta.include || "", exclude: meta.exclude || "" };
}

function xltoolsRibbonAction(scriptName) {
  return async function (event) {
    // the buttons that only make files send the workbook file where Office.js can
    // (files.js: XLTOOLS_BY_FILE), not its values
    if (typeof globalThis.xltoolsRunByFile === "function") {
      if (await globalThis.xltoolsRunByFile(scriptName)) {
        event.completed();
        return;
      }
    }
    let authResult =
      typeof globalThis.getAuth === "function"
        ? await globalThis.getAuth()
        : { token: "", provider: "" };
    // files.js shows "working…", then the answer and its download links
    document.dispatchEvent(new CustomEvent("xltools:start"));
    try {
      const sheets = await xltoolsSheetsFor(scriptName);
      await xlwings.runPython({
        auth: authResult.token,
        scriptName: scriptName,
        include: sheets.include,
        exclude: sheets.exclude,
        headers: { "Auth-Provider": authResult.provider },
        // the task pane's choices (As of, Carry problems), when it is open (files.js)
        args: globalThis.xltoolsScriptArgs ? globalThis.xltoolsScriptArgs(scriptName) : [],
      });
    } finally {
      document.dispatchEvent(new CustomEvent("xltools:done"));
      event.completed();
    }
  };
}

for (const scriptName of XLTOOLS_SCRIPTS) {
  Office.actions.associate(
    "xltools-" + scriptName.replaceAll("_", "-"),
    xltoolsRibbonAction(scriptName),
  );
}
