// xltools: sheet protection around the add-in's writes.
//
// xltools workbooks protect their sheets (no password; input columns unlocked).
// Office.js refuses to write to locked cells of a protected sheet, so a script
// that writes the Flags column, KPI RAG/Trend, Previous progress, the Log or
// the Settings sheet first runs xltoolsUnprotect (via xlwings' runMacro action,
// i.e. book.app.macro("xltoolsUnprotect")(sheet) in Python) and afterwards
// xltoolsProtect, which restores protection only on sheets it lifted, with the
// options xltools' writer uses (format rows/columns and filter allowed, sort not).
globalThis.xltoolsLifted = globalThis.xltoolsLifted || new Set();

async function xltoolsUnprotect(context, sheetName) {
  const sheet = context.workbook.worksheets.getItemOrNullObject(sheetName);
  sheet.load("isNullObject");
  sheet.protection.load("protected");
  await context.sync();
  if (!sheet.isNullObject && sheet.protection.protected) {
    sheet.protection.unprotect();
    globalThis.xltoolsLifted.add(sheetName);
    await context.sync();
  }
}

async function xltoolsProtect(context, sheetName) {
  if (!globalThis.xltoolsLifted.has(sheetName)) {
    return;
  }
  const sheet = context.workbook.worksheets.getItem(sheetName);
  sheet.protection.protect({
    allowFormatColumns: true,
    allowFormatRows: true,
    allowAutoFilter: true,
    allowSort: false,
  });
  globalThis.xltoolsLifted.delete(sheetName);
  await context.sync();
}

xlwings.registerCallback(xltoolsUnprotect);
xlwings.registerCallback(xltoolsProtect);
