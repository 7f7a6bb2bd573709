// A stand-in for Office.js (and the Excel host behind it) for the task pane tests.
//
// The browser tests run the real task pane page from the real server in real
// Chromium; only the Office host is missing. The test answers the page's request
// for office.js with this file, after setting globalThis.__xltHost (built by
// tests/taskpane_browser.py from a real .xlsx):
//
//   { name, active, platform, requirements: {ExcelApi: "1.17", ...},
//     sheets: [{name, visibility, values, formats, protected, unlocked, charts}],
//     names: [{name, formula, sheet, address}], file: "<base64 of the .xlsx>" }
//
// What it provides is what xltools' task pane and xlwings Server's JavaScript use:
// Office.onReady, Office.context (host, platform, requirements.isSetSupported,
// document.getFileAsync with getSliceAsync/closeAsync, ui.displayDialogAsync),
// Office.actions.associate, Office.addin, and an Excel.run whose workbook reads the
// sheets above and applies what the server's actions write. Writes are kept in the
// grids (a later read sees them) and recorded in globalThis.__xltLog for the tests:
//   writes:  {sheet, address, what, value}      dialogs: {url, prompt, title}
//   actions: {id: handler} (ribbon)              files: getFileAsync calls
// Office.js behaviour kept on purpose, because real Excel has it: a missing sheet
// or item fails at context.sync() (ItemNotFound), a values matrix must match the
// range's size, locked cells of a protected sheet refuse values and formulas
// (AccessDenied), at most two files from getFileAsync may be open, the slice size
// is at most 4 MB (the default), and slices are plain arrays of byte numbers.
// Not like Excel: getFileAsync hands over the .xlsx as it was opened (Excel would
// save the current state, with the actions' writes), formulas are not calculated,
// and the error codes and messages of failures are approximations.
(function () {
  "use strict";
  const host = globalThis.__xltHost || { name: "Book1.xlsx", sheets: [{ name: "Sheet1" }] };
  const log = (globalThis.__xltLog = {
    writes: [],
    dialogs: [],
    actions: {},
    files: [],
    calls: [],
  });
  const READY = { host: "Excel", platform: host.platform || "OfficeOnline" };

  // A recorded value the test can read: ranges by address, nothing callable or circular.
  function plain(value, depth = 0) {
    if (value === null || value === undefined) return null;
    if (typeof value === "function") return "<object>";
    if (typeof value !== "object") return value;
    if (depth > 4) return "<object>";
    if (Array.isArray(value)) return value.map((v) => plain(v, depth + 1));
    if (value instanceof Range) return value.address;
    if (value instanceof Loadable) return value.name || "<object>";
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v, depth + 1)]));
  }
  function note(sheet, address, what, value) {
    log.writes.push({ sheet, address, what, value: plain(value) });
  }

  // -- addresses -------------------------------------------------------------------
  function colName(index) {
    let name = "";
    for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
      name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
    }
    return name;
  }
  function colIndex(letters) {
    let n = 0;
    for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
    return n - 1;
  }
  function quoteSheet(name) {
    return /^[A-Za-z_][A-Za-z0-9_.]*$/.test(name) ? name : `'${name.replaceAll("'", "''")}'`;
  }
  const MAX_ROWS = 1048576;
  const MAX_COLS = 16384;
  // "A1", "A1:C3", "A:C", "2:5", optionally "Sheet!…" and "$": [row, col, rows, cols]
  function parseAddress(text) {
    const bare = String(text).split("!").pop().replaceAll("$", "").toUpperCase();
    const [first, last = first] = bare.split(":");
    const part = (p) => {
      const m = /^([A-Z]*)(\d*)$/.exec(p);
      if (!m) throw officeError("InvalidArgument", `The address '${text}' is not valid.`);
      return { col: m[1] ? colIndex(m[1]) : null, row: m[2] ? Number(m[2]) - 1 : null };
    };
    const a = part(first);
    const b = part(last);
    const r0 = a.row ?? 0;
    const c0 = a.col ?? 0;
    const r1 = b.row ?? MAX_ROWS - 1;
    const c1 = b.col ?? MAX_COLS - 1;
    return [Math.min(r0, r1), Math.min(c0, c1), Math.abs(r1 - r0) + 1, Math.abs(c1 - c0) + 1];
  }
  function a1(r, c, nr, nc) {
    const first = `${colName(c)}${r + 1}`;
    if (nr === MAX_ROWS) return `${colName(c)}:${colName(c + nc - 1)}`;
    if (nc === MAX_COLS) return `${r + 1}:${r + nr}`;
    return nr === 1 && nc === 1 ? first : `${first}:${colName(c + nc - 1)}${r + nr}`;
  }

  // -- errors, as Office.js raises them ----------------------------------------------
  function officeError(code, message) {
    const error = new Error(message);
    error.name = "RichApi.Error";
    error.code = code;
    error.debugInfo = { code, message };
    return error;
  }

  // -- a recorder for anything this shim does not model -------------------------------
  // Setting a property or calling a method on it is logged (and a later read of a
  // property set this way gets the value back), so an action xltools does not use
  // yet does not crash the run; the tests see it in __xltLog.writes.
  const NOT_THENABLE = new Set(["then", "toJSON", "constructor", "valueOf", "toString"]);
  function recorder(owner, path, store = {}) {
    const target = function () {};
    return new Proxy(target, {
      get(_t, prop) {
        if (typeof prop === "symbol" || NOT_THENABLE.has(prop)) return undefined;
        const key = `${path}.${prop}`;
        if (key in store) return store[key];
        if (prop === "load" || prop === "track" || prop === "untrack") return () => recorder(owner, path, store);
        if (prop === "isNullObject") return false;
        return recorder(owner, key, store);
      },
      set(_t, prop, value) {
        store[`${path}.${String(prop)}`] = value;
        owner.record(`${path}.${String(prop)}`.replace(/^\./, ""), value);
        return true;
      },
      apply(_t, _this, args) {
        owner.record(`${path}()`.replace(/^\./, ""), args);
        return recorder(owner, `${path}()`, store);
      },
    });
  }
  // An object whose unknown properties are recorders (known ones are its own).
  function withRecorder(obj, path = "") {
    const store = {};
    return new Proxy(obj, {
      get(target, prop, receiver) {
        if (typeof prop === "symbol" || prop in target || NOT_THENABLE.has(prop)) {
          return Reflect.get(target, prop, receiver);
        }
        const key = `${path}.${prop}`;
        if (key in store) return store[key];
        return recorder(target, key, store);
      },
      set(target, prop, value, receiver) {
        if (prop in target) return Reflect.set(target, prop, value, receiver);
        store[`${path}.${String(prop)}`] = value;
        target.record(String(prop), value);
        return true;
      },
    });
  }

  // -- the workbook model --------------------------------------------------------------
  class Loadable {
    load() {
      return this;
    }
    track() {
      return this;
    }
    untrack() {
      return this;
    }
    toJSON() {
      return {};
    }
    get isNullObject() {
      return false;
    }
  }

  class NullObject extends Loadable {
    constructor(what) {
      super();
      this.what = what;
    }
    get isNullObject() {
      return true;
    }
    record() {}
  }

  class Collection extends Loadable {
    constructor(items = [], owner = null) {
      super();
      this._items = items;
      this.owner = owner;
    }
    get items() {
      return this._items;
    }
    get count() {
      return this._items.length;
    }
    getCount() {
      return { value: this._items.length };
    }
    getItemAt(index) {
      return this._items[index];
    }
    getItemOrNullObject(name) {
      return this._items.find((item) => item.name === name) || new NullObject(name);
    }
    getItem(name) {
      const found = this._items.find((item) => item.name === name);
      if (found) return found;
      pendingError(officeError("ItemNotFound", `The requested resource '${name}' doesn't exist.`));
      return new NullObject(name);
    }
    record(what, value) {
      if (this.owner) this.owner.record(what, value);
    }
  }

  class Chart extends Loadable {
    constructor(sheet, meta) {
      super();
      this.sheet = sheet;
      Object.assign(this, {
        name: meta.name,
        chartType: meta.chart_type || meta.chartType || "ColumnClustered",
        left: meta.left || 0,
        top: meta.top || 0,
        width: meta.width || 480,
        height: meta.height || 260,
      });
      this.series = new Collection([], this);
      this.setSeries(meta.series || 1);
    }
    // Excel makes one series per column (or row) of the data after the first, the
    // categories; a test reads them back from __xltLog.writes.
    setSeries(count) {
      this.series._items = Array.from({ length: Math.max(1, count) }, (_, i) =>
        withRecorder(
          Object.assign(new Loadable(), {
            name: `Series${i + 1}`,
            record: (what, value) => this.record(`series ${i + 1}: ${what}`, value),
          }),
        ),
      );
    }
    setData(range, seriesBy = "Auto") {
      const byRows = seriesBy === "Rows" || (seriesBy === "Auto" && range.nc > range.nr);
      this.setSeries(byRows ? range.nr - 1 : range.nc - 1);
      this.record("setData", [range.address, seriesBy]);
    }
    delete() {
      this.sheet.charts._items.splice(this.sheet.charts._items.indexOf(this), 1);
      this.record("chart.delete", this.name);
    }
    record(what, value) {
      this.sheet.record(`chart ${this.name}: ${what}`, value);
    }
  }

  class ChartCollection extends Collection {
    add(type, source, seriesBy) {
      const chart = withRecorder(
        new Chart(this.owner, { name: `Chart ${this._items.length + 1}`, chartType: type }),
      );
      if (source && source.nc) chart.setData(source, seriesBy || "Auto");
      this._items.push(chart);
      this.owner.record("charts.add", [type, source && source.address, seriesBy]);
      return chart;
    }
  }

  class NameItem extends Loadable {
    constructor(workbook, entry) {
      super();
      this.workbook = workbook;
      this.name = entry.name;
      this.formula = entry.formula;
      this.type = entry.type || "Range";
      this.entry = entry;
    }
    getRangeOrNullObject() {
      const sheet = this.workbook.sheetNamed(this.entry.sheet);
      if (!sheet || !this.entry.address) return new NullObject(this.name);
      return sheet.getRange(this.entry.address);
    }
    getRange() {
      return this.getRangeOrNullObject();
    }
    delete() {
      const items = this.workbook.names._items;
      items.splice(items.indexOf(this), 1);
    }
  }

  class NameCollection extends Collection {
    add(name, reference) {
      const address = typeof reference === "string" ? reference : reference.address;
      const [sheet, cells] = address.includes("!") ? address.split("!") : [null, address];
      const item = new NameItem(this.owner, {
        name,
        formula: `=${address}`,
        sheet: sheet && sheet.replace(/^=?'?|'$/g, ""),
        address: cells,
      });
      this._items.push(item);
      this.owner.record(`names.add ${name}`, address);
      return item;
    }
  }

  class Protection extends Loadable {
    constructor(sheet, on) {
      super();
      this.sheet = sheet;
      this.protected = Boolean(on);
      this.options = {};
    }
    protect(options = {}) {
      if (this.protected) {
        pendingError(officeError("InvalidOperation", "The sheet is already protected."));
        return;
      }
      this.protected = true;
      this.options = options;
      this.sheet.record("protection.protect", options);
    }
    unprotect() {
      this.protected = false;
      this.sheet.record("protection.unprotect", null);
    }
  }

  class Worksheet extends Loadable {
    constructor(workbook, data) {
      super();
      this.workbook = workbook;
      this._name = data.name;
      this.visibility = data.visibility || "Visible";
      this.showGridlines = data.show_gridlines !== false;
      this.cells = (data.values || []).map((row) => row.slice());
      this.formats = (data.formats || []).map((row) => row.slice());
      this.formulaCells = {};
      this.unlocked = data.unlocked || {};
      this.protection = new Protection(this, data.protected);
      this.charts = new ChartCollection([], this);
      this.charts._items = (data.charts || []).map((c) => withRecorder(new Chart(this, c)));
      this.names = new NameCollection([], workbook);
      this.tables = new Collection([], this);
      this.shapes = new Collection([], this);
      this.pivotTables = new Collection([], this);
      this.notes = new Collection([], this);
      this.comments = new Collection([], this);
      this.columnWidths = {};
      this.pageLayout = withRecorder(
        Object.assign(new Loadable(), {
          record: (what, value) => this.record(`pageLayout.${what}`, value),
          getPrintAreaOrNullObject: () => new NullObject("print area"),
        }),
        "pageLayout",
      );
    }
    get name() {
      return this._name;
    }
    set name(value) {
      this.record("name", value);
      this._name = value;
    }
    get position() {
      return this.workbook.worksheets._items.indexOf(this);
    }
    set position(value) {
      const items = this.workbook.worksheets._items;
      items.splice(items.indexOf(this), 1);
      items.splice(Math.min(value, items.length), 0, this);
    }
    get id() {
      return `{sheet-${this._name}}`;
    }
    record(what, value, address = null) {
      note(this._name, address, what, value);
    }
    // the extent of the values (Excel's values-only used range), null when empty
    extent() {
      let rows = 0;
      let cols = 0;
      this.cells.forEach((row, r) => {
        row.forEach((v, c) => {
          if (v !== "" && v !== null && v !== undefined) {
            rows = Math.max(rows, r + 1);
            cols = Math.max(cols, c + 1);
          }
        });
      });
      return rows ? [rows, cols] : null;
    }
    value(r, c) {
      const v = this.cells[r] && this.cells[r][c];
      return v === undefined || v === null ? "" : v;
    }
    format(r, c) {
      return (this.formats[r] && this.formats[r][c]) || "General";
    }
    put(grid, r, c, v) {
      while (grid.length <= r) grid.push([]);
      grid[r][c] = v;
    }
    isLocked(r, c) {
      const runs = this.unlocked[String(c)] || [];
      return !runs.some(([a, b]) => r >= a && r <= b);
    }
    getRange(address = null) {
      if (address === null || address === undefined || address === "") {
        return this.getRangeByIndexes(0, 0, MAX_ROWS, MAX_COLS);
      }
      return this.getRangeByIndexes(...parseAddress(address));
    }
    getRanges(address = null) {
      const parts = address ? String(address).split(",") : [null];
      const ranges = parts.map((p) => this.getRange(p));
      return Object.assign(new Loadable(), {
        areas: new Collection(ranges),
        clear: (applyTo) => ranges.forEach((r) => r.clear(applyTo)),
      });
    }
    getRangeByIndexes(r, c, nr, nc) {
      return withRecorder(new Range(this, r, c, nr, nc));
    }
    getCell(r, c) {
      return this.getRangeByIndexes(r, c, 1, 1);
    }
    getUsedRange(valuesOnly) {
      const used = this.getUsedRangeOrNullObject(valuesOnly);
      return used.isNullObject ? this.getRangeByIndexes(0, 0, 1, 1) : used;
    }
    getUsedRangeOrNullObject() {
      const extent = this.extent();
      return extent ? this.getRangeByIndexes(0, 0, extent[0], extent[1]) : new NullObject("used range");
    }
    activate() {
      this.workbook.active = this;
      this.record("activate", null);
    }
    delete() {
      const items = this.workbook.worksheets._items;
      items.splice(items.indexOf(this), 1);
      this.record("delete", null);
    }
  }

  class RangeFormat {
    constructor(range) {
      this.range = range;
      this.font = recorder(this, "font");
      this.fill = recorder(this, "fill");
      this.borders = recorder(this, "borders");
      this.protection = recorder(this, "protection");
    }
    record(what, value) {
      this.range.record(`format.${what}`, value);
    }
    get columnWidth() {
      const widths = this.range.sheet.columnWidths;
      return widths[this.range.c0] ?? 48;
    }
    set columnWidth(points) {
      for (let c = this.range.c0; c < this.range.c0 + this.range.nc && c < 2000; c += 1) {
        this.range.sheet.columnWidths[c] = points;
      }
      this.record("columnWidth", points);
    }
    get rowHeight() {
      return 15;
    }
    set rowHeight(points) {
      this.record("rowHeight", points);
    }
    autofitColumns() {
      this.record("autofitColumns", null);
    }
    autofitRows() {
      this.record("autofitRows", null);
    }
    load() {
      return this;
    }
  }

  class Range extends Loadable {
    constructor(sheet, r0, c0, nr, nc) {
      super();
      this.sheet = sheet;
      this.r0 = r0;
      this.c0 = c0;
      this.nr = nr;
      this.nc = nc;
      this.format = withRecorder(new RangeFormat(this), "format");
    }
    record(what, value) {
      this.sheet.record(what, value, this.address.split("!").pop());
    }
    get worksheet() {
      return this.sheet;
    }
    get address() {
      return `${quoteSheet(this.sheet.name)}!${a1(this.r0, this.c0, this.nr, this.nc)}`;
    }
    get addressLocal() {
      return this.address;
    }
    get rowIndex() {
      return this.r0;
    }
    get columnIndex() {
      return this.c0;
    }
    get rowCount() {
      return this.nr;
    }
    get columnCount() {
      return this.nc;
    }
    get cellCount() {
      return this.nr * this.nc;
    }
    matrix(read) {
      if (this.nr * this.nc > 5000000) return null; // Office.js' per-read cell limit
      const out = [];
      for (let r = this.r0; r < this.r0 + this.nr; r += 1) {
        const row = [];
        for (let c = this.c0; c < this.c0 + this.nc; c += 1) row.push(read(r, c));
        out.push(row);
      }
      return out;
    }
    get values() {
      return this.matrix((r, c) => this.sheet.value(r, c));
    }
    get text() {
      return this.matrix((r, c) => String(this.sheet.value(r, c)));
    }
    get valueTypes() {
      return this.matrix((r, c) => {
        const v = this.sheet.value(r, c);
        return v === "" ? "Empty" : typeof v === "number" ? "Double" : typeof v === "boolean" ? "Boolean" : "String";
      });
    }
    get numberFormat() {
      return this.matrix((r, c) => this.sheet.format(r, c));
    }
    set numberFormat(grid) {
      this.fill(grid, (r, c, v) => this.sheet.put(this.sheet.formats, r, c, v), false);
      this.record("numberFormat", grid);
    }
    get formulas() {
      return this.matrix((r, c) => this.sheet.formulaCells[`${r},${c}`] ?? this.sheet.value(r, c));
    }
    set formulas(grid) {
      this.fill(grid, (r, c, v) => {
        if (typeof v === "string" && v.startsWith("=")) {
          this.sheet.formulaCells[`${r},${c}`] = v;
          this.sheet.put(this.sheet.cells, r, c, ""); // not calculated here
        } else {
          delete this.sheet.formulaCells[`${r},${c}`];
          this.sheet.put(this.sheet.cells, r, c, v);
        }
      });
      this.record("formulas", grid);
    }
    set values(grid) {
      this.fill(grid, (r, c, v) => {
        delete this.sheet.formulaCells[`${r},${c}`];
        this.sheet.put(this.sheet.cells, r, c, v);
      });
      this.record("values", grid);
    }
    // write a scalar or a matrix the size of the range (Office.js' rule)
    fill(grid, put, guard = true) {
      const scalar = !Array.isArray(grid);
      if (!scalar && (grid.length !== this.nr || grid.some((row) => row.length !== this.nc))) {
        throw officeError(
          "InvalidArgument",
          "The number of rows or columns in the input array doesn't match the size or dimensions of the range.",
        );
      }
      if (guard) this.refuseLocked();
      for (let i = 0; i < this.nr; i += 1) {
        for (let j = 0; j < this.nc; j += 1) {
          put(this.r0 + i, this.c0 + j, scalar ? grid : grid[i][j]);
        }
      }
    }
    refuseLocked() {
      if (!this.sheet.protection.protected) return;
      for (let r = this.r0; r < this.r0 + Math.min(this.nr, 100000); r += 1) {
        for (let c = this.c0; c < this.c0 + Math.min(this.nc, 200); c += 1) {
          if (this.sheet.isLocked(r, c)) {
            throw officeError(
              "AccessDenied",
              `The cell ${this.sheet.name}!${a1(r, c, 1, 1)} is on a protected sheet: unprotect it to change it.`,
            );
          }
        }
      }
    }
    clear(applyTo = "All") {
      if (applyTo !== "Formats") {
        this.refuseLocked();
        for (let r = this.r0; r < Math.min(this.r0 + this.nr, this.sheet.cells.length); r += 1) {
          const row = this.sheet.cells[r];
          for (let c = this.c0; c < Math.min(this.c0 + this.nc, row.length); c += 1) {
            row[c] = "";
            delete this.sheet.formulaCells[`${r},${c}`];
          }
        }
      }
      this.record("clear", applyTo);
    }
    getCell(r, c) {
      return this.sheet.getRangeByIndexes(this.r0 + r, this.c0 + c, 1, 1);
    }
    getOffsetRange(dr, dc) {
      return this.sheet.getRangeByIndexes(this.r0 + dr, this.c0 + dc, this.nr, this.nc);
    }
    getResizedRange(dr, dc) {
      return this.sheet.getRangeByIndexes(this.r0, this.c0, this.nr + dr, this.nc + dc);
    }
    getEntireColumn() {
      return this.sheet.getRangeByIndexes(0, this.c0, MAX_ROWS, this.nc);
    }
    getEntireRow() {
      return this.sheet.getRangeByIndexes(this.r0, 0, this.nr, MAX_COLS);
    }
    getLastCell() {
      return this.getCell(this.nr - 1, this.nc - 1);
    }
    getRow(i) {
      return this.sheet.getRangeByIndexes(this.r0 + i, this.c0, 1, this.nc);
    }
    getColumn(j) {
      return this.sheet.getRangeByIndexes(this.r0, this.c0 + j, this.nr, 1);
    }
    getIntersectionOrNullObject(other) {
      const r0 = Math.max(this.r0, other.r0);
      const c0 = Math.max(this.c0, other.c0);
      const r1 = Math.min(this.r0 + this.nr, other.r0 + other.nr);
      const c1 = Math.min(this.c0 + this.nc, other.c0 + other.nc);
      return r1 > r0 && c1 > c0
        ? this.sheet.getRangeByIndexes(r0, c0, r1 - r0, c1 - c0)
        : new NullObject("intersection");
    }
    getUsedRangeOrNullObject() {
      const used = this.sheet.getUsedRangeOrNullObject();
      return used.isNullObject ? used : this.getIntersectionOrNullObject(used);
    }
    getUsedRange() {
      const used = this.getUsedRangeOrNullObject();
      return used.isNullObject ? this.getCell(0, 0) : used;
    }
    getSurroundingRegion() {
      const extent = this.sheet.extent() || [1, 1];
      return this.sheet.getRangeByIndexes(0, 0, extent[0], extent[1]);
    }
    select() {
      this.sheet.workbook.selection = this;
      this.record("select", null);
    }
  }

  class Workbook extends Loadable {
    constructor(data) {
      super();
      this.name = data.name || "Book1.xlsx";
      this.worksheets = withRecorder(new WorksheetCollection(this), "worksheets");
      this.worksheets._items = (data.sheets || []).map((s) => withRecorder(new Worksheet(this, s)));
      this.names = new NameCollection([], this);
      this.names._items = (data.names || []).map((n) => new NameItem(this, n));
      this.active = this.worksheets._items[data.active || 0] || this.worksheets._items[0];
      this.selection = null;
      this.application = withRecorder(
        Object.assign(new Loadable(), {
          calculationMode: "Automatic",
          cultureInfo: Object.assign(new Loadable(), {
            name: "en-GB",
            datetimeFormat: Object.assign(new Loadable(), { shortDatePattern: "dd/MM/yyyy" }),
          }),
          record: (what, value) => note(null, null, `application.${what}`, value),
          calculate: () => null,
          suspendApiCalculationUntilNextSync: () => null,
          suspendScreenUpdatingUntilNextSync: () => null,
        }),
        "application",
      );
      this.protection = Object.assign(new Loadable(), { protected: false });
    }
    record(what, value) {
      note(null, null, what, value);
    }
    sheetNamed(name) {
      return this.worksheets._items.find((s) => s.name === name) || null;
    }
    getSelectedRange() {
      return this.selection || this.active.getRange("A1");
    }
    getActiveCell() {
      return this.getSelectedRange().getCell(0, 0);
    }
  }

  class WorksheetCollection extends Collection {
    constructor(workbook) {
      super([], workbook);
    }
    getActiveWorksheet() {
      return this.owner.active;
    }
    getFirst() {
      return this._items[0];
    }
    getLast() {
      return this._items[this._items.length - 1];
    }
    add(name) {
      let sheetName = name;
      for (let n = this._items.length + 1; !sheetName; n += 1) {
        if (!this.owner.sheetNamed(`Sheet${n}`)) sheetName = `Sheet${n}`;
      }
      if (this.owner.sheetNamed(sheetName)) {
        pendingError(officeError("InvalidArgument", `A sheet named '${sheetName}' already exists.`));
        return new NullObject(sheetName);
      }
      const sheet = withRecorder(new Worksheet(this.owner, { name: sheetName }));
      this._items.push(sheet);
      sheet.record("worksheets.add", sheetName);
      return sheet;
    }
  }

  // -- contexts: one workbook per page (the document), errors surface at sync() -------
  let workbook = null;
  let pending = null;
  function pendingError(error) {
    if (!pending) pending = error;
  }
  function theWorkbook() {
    if (!workbook) workbook = new Workbook(host);
    return workbook;
  }
  class RequestContext {
    constructor() {
      this.workbook = theWorkbook();
      this.application = this.workbook.application;
      this.runtime = Object.assign(new Loadable(), { enableEvents: true });
      this.trackedObjects = { add() {}, remove() {} };
    }
    async sync(passThrough) {
      await new Promise((resolve) => setTimeout(resolve, 0)); // a round trip to Excel
      if (pending) {
        const error = pending;
        pending = null;
        throw error;
      }
      return passThrough;
    }
  }

  async function run(...args) {
    const batch = args.find((a) => typeof a === "function");
    const context = new RequestContext();
    log.calls.push("Excel.run");
    const result = await batch(context);
    await context.sync();
    return result;
  }

  // Excel's enums: any member is its own name, capitalised (Excel.ClearApplyTo.all = "All")
  const enumProxy = () =>
    new Proxy({}, { get: (_t, p) => (typeof p === "string" ? p[0].toUpperCase() + p.slice(1) : undefined) });
  const ENUMS = {};
  globalThis.Excel = new Proxy(
    { run, RequestContext, ErrorCodes: { itemNotFound: "ItemNotFound", accessDenied: "AccessDenied" } },
    {
      get(target, prop) {
        if (prop in target || typeof prop !== "string") return target[prop];
        if (!/^[A-Z]/.test(prop)) return undefined;
        return (ENUMS[prop] = ENUMS[prop] || enumProxy());
      },
    },
  );
  globalThis.OfficeExtension = {
    Error: class extends Error {},
    ErrorCodes: { generalException: "GeneralException" },
    config: { extendedErrorLogging: false },
  };

  // -- Office: the host, requirements, the document file, dialogs, ribbon -------------
  const REQUIREMENTS = Object.assign(
    {
      excelapi: "1.17",
      sharedruntime: "1.1",
      customfunctionsruntime: "1.4",
      customfunctions: "1.4",
      dialogapi: "1.2",
      ribbonapi: "1.1",
      file: "1.1",
      identityapi: "1.3",
    },
    Object.fromEntries(Object.entries(host.requirements || {}).map(([k, v]) => [k.toLowerCase(), v])),
  );
  function versionAtLeast(have, want) {
    const [a1v, a2v = 0] = String(have).split(".").map(Number);
    const [b1v, b2v = 0] = String(want || "1.1").split(".").map(Number);
    return a1v > b1v || (a1v === b1v && a2v >= b2v);
  }
  function isSetSupported(name, version) {
    const have = REQUIREMENTS[String(name).toLowerCase()];
    return have !== undefined && have !== null && versionAtLeast(have, version);
  }

  function asyncResult(status, value, error, asyncContext) {
    return { status, value, error, asyncContext };
  }
  function later(callback, result) {
    if (typeof callback === "function") setTimeout(() => callback(result), 0);
  }
  function fail(callback, code, name, message, asyncContext) {
    later(callback, asyncResult("failed", undefined, { code, name, message }, asyncContext));
  }

  const MAX_SLICE = 4194304;
  let openFiles = 0;
  function fileBytes() {
    const text = atob(host.file || "");
    const bytes = new Array(text.length);
    for (let i = 0; i < text.length; i += 1) bytes[i] = text.charCodeAt(i);
    return bytes;
  }
  function getFileAsync(fileType, options, callback) {
    if (typeof options === "function") {
      callback = options;
      options = {};
    }
    options = options || {};
    const sliceSize = options.sliceSize === undefined ? MAX_SLICE : options.sliceSize;
    log.files.push({ fileType, sliceSize });
    if (fileType !== "compressed" && fileType !== "pdf") {
      return fail(callback, 5001, "Internal Error", `Excel cannot give the file as '${fileType}'.`, options.asyncContext);
    }
    if (fileType === "pdf" || !host.file) {
      return fail(callback, 5001, "Internal Error", "An internal error has occurred.", options.asyncContext);
    }
    if (!Number.isInteger(sliceSize) || sliceSize <= 0 || sliceSize > MAX_SLICE) {
      return fail(callback, 1000, "Invalid Argument", "The specified slice size is not valid.", options.asyncContext);
    }
    if (openFiles >= 2) {
      return fail(callback, 5001, "Internal Error", "A maximum of two documents may be open: close one with File.closeAsync.", options.asyncContext);
    }
    openFiles += 1;
    const bytes = fileBytes();
    let closed = false;
    const file = {
      size: bytes.length,
      sliceCount: Math.max(1, Math.ceil(bytes.length / sliceSize)),
      getSliceAsync(index, sliceCallback) {
        if (closed) {
          return fail(sliceCallback, 5001, "Internal Error", "The file is closed.");
        }
        if (!Number.isInteger(index) || index < 0 || index >= file.sliceCount) {
          return fail(sliceCallback, 1000, "Invalid Argument", "The slice index is out of range.");
        }
        const data = bytes.slice(index * sliceSize, (index + 1) * sliceSize);
        later(sliceCallback, asyncResult("succeeded", { data, index, size: data.length }));
      },
      closeAsync(closeCallback) {
        if (!closed) {
          closed = true;
          openFiles -= 1;
        }
        later(closeCallback, asyncResult("succeeded", undefined));
      },
    };
    later(callback, asyncResult("succeeded", file, undefined, options.asyncContext));
  }

  function displayDialogAsync(url, options, callback) {
    if (typeof options === "function") {
      callback = options;
    }
    const query = new URL(url, window.location.href).searchParams;
    log.dialogs.push({ url, prompt: query.get("prompt"), title: query.get("title") });
    const dialog = { addEventHandler() {}, close() {}, messageChild() {} };
    later(callback, asyncResult("succeeded", dialog));
  }

  const readyCallbacks = [];
  const Office = {
    HostType: { Excel: "Excel" },
    PlatformType: { PC: "PC", Mac: "Mac", OfficeOnline: "OfficeOnline", iOS: "iOS" },
    AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
    FileType: { Compressed: "compressed", Pdf: "pdf", Text: "text" },
    CoercionType: { Text: "text", Matrix: "matrix", Table: "table" },
    EventType: {
      DialogMessageReceived: "dialogMessageReceived",
      DialogEventReceived: "dialogEventReceived",
      DocumentSelectionChanged: "documentSelectionChanged",
    },
    StartupBehavior: { none: "None", load: "Load" },
    VisibilityMode: { hidden: "Hidden", taskpane: "Taskpane" },
    context: {
      host: "Excel",
      platform: READY.platform,
      displayLanguage: "en-GB",
      contentLanguage: "en-GB",
      diagnostics: { host: "Excel", platform: READY.platform, version: "16.0.xltools-shim" },
      requirements: { isSetSupported },
      document: { url: host.name, mode: "readWrite", getFileAsync },
      ui: { displayDialogAsync, messageParent() {} },
    },
    actions: {
      associate(id, handler) {
        log.actions[id] = handler;
      },
    },
    addin: {
      showAsTaskpane: async () => null,
      hide: async () => null,
      setStartupBehavior: async () => null,
      getStartupBehavior: async () => "None",
      onVisibilityModeChanged: async () => () => null,
    },
    auth: {
      getAccessToken: async () => {
        throw Object.assign(new Error("Single sign-on is not available in this test host."), { code: 13000 });
      },
    },
    onReady(callback) {
      if (typeof callback === "function") readyCallbacks.push(callback);
      return new Promise((resolve) => {
        setTimeout(() => {
          while (readyCallbacks.length) readyCallbacks.shift()(READY);
          resolve(READY);
        }, 0);
      });
    },
    initialize: null,
  };
  globalThis.Office = Office;
  globalThis.OfficeRuntime = {
    storage: (() => {
      const data = new Map();
      return {
        getItem: async (k) => (data.has(k) ? data.get(k) : null),
        setItem: async (k, v) => void data.set(k, String(v)),
        removeItem: async (k) => void data.delete(k),
      };
    })(),
  };
  globalThis.CustomFunctions = {
    associate() {},
    Error: class extends Error {
      constructor(code, message) {
        super(message);
        this.code = code;
      }
    },
    ErrorCode: { invalidValue: "#VALUE!", notAvailable: "#N/A" },
  };
  // The ribbon: what Excel does when a button is pressed (tests call this).
  globalThis.__xltPress = function (id) {
    const handler = log.actions[id];
    if (!handler) throw new Error(`no ribbon action associated with '${id}'`);
    return new Promise((resolve) => handler({ completed: () => resolve(true), source: { id } }));
  };
  // The workbook as it is now (tests read back what the server's actions wrote).
  globalThis.__xltSheet = function (name) {
    const sheet = theWorkbook().sheetNamed(name);
    return sheet ? { values: sheet.cells, protected: sheet.protection.protected, widths: sheet.columnWidths } : null;
  };
  globalThis.__xltSheetNames = () => theWorkbook().worksheets._items.map((s) => s.name);
})();
