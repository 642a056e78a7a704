// The pool workers' one script holds the module's glue (www/pool.js); a glue with
// snippets imports them by relative URL, which must become absolute in a blob:.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { absoluteImports } from '../../www/pool.js';

const base = 'http://localhost:8080/pkg/concurrency_lab.js?v=abc';

test("a glue's relative imports resolve against the glue's own URL", () => {
  const glue = [
    "import { startWorkers } from './snippets/concurrency-lab-1a2b/www/pool.js';",
    'import * as up from "../www/x.js";',
    "export { y } from './c.js';",
    "import './side-effect.js';",
  ].join('\n');
  assert.equal(absoluteImports(glue, base), [
    "import { startWorkers } from 'http://localhost:8080/pkg/snippets/concurrency-lab-1a2b/www/pool.js';",
    'import * as up from "http://localhost:8080/www/x.js";',
    "export { y } from 'http://localhost:8080/pkg/c.js';",
    "import 'http://localhost:8080/pkg/side-effect.js';",
  ].join('\n'));
});

test('text that is not an import is left as it is', () => {
  const glue = [
    "const note = 'from ./here';",
    "import { a } from 'http://elsewhere.test/a.js';",
    'const url = import.meta.url;',
    "const w = new URL('concurrency_lab_bg.wasm', import.meta.url);",
  ].join('\n');
  assert.equal(absoluteImports(glue, base), glue);
});
