// Runs static/js/files.js's xltoolsRunByFile (SCRIPT; consolidate by its old name
// xltoolsConsolidateByFile) in node against the real server,
// with the least of Office.js and the DOM it touches: getFileAsync hands out the bytes
// of a real .xlsx in small slices (so joining them is exercised). Prints what the task
// pane's Last run card shows, as JSON. Used by tests/test_server_by_file.py.
//   node consolidate_by_file.js BASE TOKEN FILE FILES_JS MODE [SCRIPT [TICKED]]
//   (MODE: ok | fails | none; SCRIPT: consolidate by default; TICKED: the ids of the
//   task pane's boxes ticked, comma-separated, e.g. xlt-adopt)
const fs = require("fs");
const vm = require("vm");

const [base, token, path, filesJs, mode, script = "consolidate", ticked = ""] =
  process.argv.slice(2);
const boxes = ticked.split(",").filter((id) => id);
const shown = {};
const element = (id) =>
  (shown[id] = shown[id] || {
    ...(boxes.includes(id) ? { type: "checkbox", checked: true } : {}),
    textContent: "",
    style: {},
    items: [],
    classList: { toggle() {}, add() {}, remove() {} },
    replaceChildren() {
      this.items = [];
    },
    appendChild(child) {
      this.items.push(child);
    },
    insertRow() {
      return { insertCell: () => ({}) };
    },
    addEventListener() {},
  });
globalThis.window = { location: { origin: base } };
globalThis.document = {
  readyState: "loading", // setup() never runs: only the function under test
  getElementById: element,
  addEventListener() {},
  querySelectorAll: () => [],
  createElement: () => ({ style: {}, addEventListener() {}, appendChild() {} }),
};
globalThis.getAuth = async () => ({ token: "Bearer " + token, provider: "tokens" });

const data = fs.readFileSync(path);
const calls = { closed: 0, sliceSize: 0 };
const sliceSize = 10000;
const file = {
  size: data.length,
  sliceCount: Math.ceil(data.length / sliceSize),
  getSliceAsync(index, callback) {
    const bytes = data.subarray(index * sliceSize, (index + 1) * sliceSize);
    setTimeout(() => callback({ status: "succeeded", value: { index, data: Array.from(bytes) } }));
  },
  closeAsync() {
    calls.closed += 1;
  },
};
const doc = {
  url: "C:\\Users\\pat\\Master%20Q2.xlsx",
  getFileAsync(type, options, callback) {
    calls.sliceSize = options.sliceSize;
    calls.type = type;
    if (mode === "fails") {
      return callback({ status: "failed", error: { message: "The file is too large." } });
    }
    callback({ status: "succeeded", value: file });
  },
};
if (mode === "none") {
  delete doc.getFileAsync;
}
globalThis.Office = {
  FileType: { Compressed: "compressed" },
  AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
  context: { document: doc },
};
const urls = [];
const realFetch = globalThis.fetch;
globalThis.fetch = (url, options) => {
  urls.push(String(url).replace(base, ""));
  return realFetch(url, options);
};
vm.runInThisContext(fs.readFileSync(filesJs, "utf8"));

const run =
  script === "consolidate"
    ? globalThis.xltoolsConsolidateByFile()
    : globalThis.xltoolsRunByFile(script);
run.then((handled) => {
  const text = (id) => element(id).textContent;
  const result = {
    handled,
    ...calls,
    title: text("xlt-result-title"),
    message: text("xlt-result-message"),
    links: element("xlt-result-links").items.length,
    byFile: globalThis.XLTOOLS_BY_FILE,
    urls,
  };
  console.log(JSON.stringify(result));
});
