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
];

function xltoolsRibbonAction(scriptName) {
  return async function (event) {
    let authResult =
      typeof globalThis.getAuth === "function"
        ? await globalThis.getAuth()
        : { token: "", provider: "" };
    try {
      await xlwings.runPython({
        auth: authResult.token,
        scriptName: scriptName,
        headers: { "Auth-Provider": authResult.provider },
      });
    } finally {
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
