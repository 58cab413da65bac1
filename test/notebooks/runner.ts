/**
 * A fast headless runner for the TypeScript notebooks, for `npm test` (CI also runs them in the real tslab kernel, see
 * `.ci/run`): every code cell of a notebook, in order, as one program with top-level await, so declarations of a cell
 * are visible to the later ones as in the kernel. The cells are transpiled with the installed `typescript`, without
 * type checking; `import ... from 'tslab'` gets a stand-in that records what the notebook displays; relative imports
 * resolve from the notebook's folder (as the kernel started there does), and `../dist/<path>` (the compiled public API
 * the notebooks import) maps to the sources it is compiled from, so no build is needed.
 *
 * Before running, it refuses what the kernel refuses or runs wrongly (`tslabPitfalls`).
 *
 * Example: const r = await runNotebook('notebooks/02-datastore.ipynb'); r.cells // 4; r.logs[0] // '[cell 0] task 1 of ...'
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

export interface Display {
  cell: number; // 0-based index among the code cells
  kind: 'html' | 'text' | 'other';
  content: string;
}

export interface NotebookRun {
  cells: number; // code cells executed
  displays: Display[]; // everything passed to tslab.display.*
  logs: string[]; // console.log output, by cell
}

/** The code cells' sources of a notebook file, checked. */
export function codeCells(file: string): string[] {
  let nb: { cells?: { cell_type: string; source: string | string[] }[]; metadata?: { kernelspec?: { name?: string } } };
  try {
    nb = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not a readable notebook (${(e as Error).message})`);
  }
  if (!Array.isArray(nb.cells)) throw new Error(`${file}: no 'cells' array`);
  if (nb.metadata?.kernelspec?.name !== 'tslab') throw new Error(`${file}: kernelspec.name must be 'tslab'`);
  return nb.cells.filter((c) => c.cell_type === 'code').map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source));
}

/** Names a cell declares at its top level (variables, destructured names, functions, classes, imports). */
function topLevelNames(sf: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  const bind = (n: ts.BindingName): void => {
    if (ts.isIdentifier(n)) names.add(n.text);
    else for (const e of n.elements) if (!ts.isOmittedExpression(e)) bind(e.name);
  };
  for (const st of sf.statements) {
    if (ts.isVariableStatement(st)) st.declarationList.declarations.forEach((d) => bind(d.name));
    else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) && st.name) names.add(st.name.text);
    else if (ts.isImportDeclaration(st) && st.importClause) {
      const c = st.importClause;
      if (c.name) names.add(c.name.text);
      const b = c.namedBindings;
      if (b && ts.isNamespaceImport(b)) names.add(b.name.text);
      else if (b) b.elements.forEach((e) => names.add(e.name.text));
    }
  }
  return names;
}

/**
 * What the tslab kernel (1.0) refuses or runs wrongly, as messages naming the cell; [] when there is none:
 * - a relative import of a TypeScript source outside the notebook's folder: tslab compiles with the kernel's working
 *   directory (the notebook's folder) as rootDir, so it fails with "... is not under 'rootDir'" (import `../dist/...`,
 *   built by `npm run build`, instead);
 * - a shorthand property `{ x }` naming a variable of an earlier cell: tslab rewrites such variables to `exports.x`
 *   everywhere but there, so the cell throws "x is not defined" (write `{ x: x }`).
 *
 * Example: tslabPitfalls(['const a = 1;', 'f({ a });'], 'nb') → ["nb: code cell 2: shorthand property { a } ..."]
 */
export function tslabPitfalls(cells: string[], name: string, dir = '.'): string[] {
  const problems: string[] = [];
  const earlier = new Set<string>();
  cells.forEach((src, i) => {
    const sf = ts.createSourceFile(`cell${i + 1}.ts`, src, ts.ScriptTarget.ES2022, true);
    const own = topLevelNames(sf);
    const visit = (node: ts.Node): void => {
      if (ts.isShorthandPropertyAssignment(node) && earlier.has(node.name.text) && !own.has(node.name.text)) {
        problems.push(`${name}: code cell ${i + 1}: shorthand property { ${node.name.text} } names a variable of an earlier cell; tslab leaves it undefined: write { ${node.name.text}: ${node.name.text} }`);
      }
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        const spec = node.moduleSpecifier.text;
        const target = path.resolve(dir, spec);
        const outside = spec.startsWith('.') && path.relative(path.resolve(dir), target).startsWith('..');
        if (outside && ['.ts', '.tsx', '/index.ts'].some((ext) => fs.existsSync(target + ext))) {
          problems.push(`${name}: code cell ${i + 1}: '${spec}' is a TypeScript source outside the notebook's folder; tslab compiles with that folder as rootDir and refuses it: import the compiled '../dist/...' (npm run build)`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
    own.forEach((n) => earlier.add(n));
  });
  return problems;
}

/** `../dist/<x>` (the build of the repository root) → `../<x>`, the sources it is compiled from. */
function sourceOf(dir: string, spec: string): string {
  const resolved = path.resolve(dir, spec);
  const root = path.resolve(dir, '..');
  const dist = path.join(root, 'dist');
  return resolved.startsWith(dist + path.sep) ? path.join(root, path.relative(dist, resolved)) : resolved;
}

/** Run every code cell of `file`; a throwing cell rejects with the notebook, the cell number and the error. */
export async function runNotebook(file: string): Promise<NotebookRun> {
  const cells = codeCells(file);
  const problems = tslabPitfalls(cells, file, path.dirname(path.resolve(file)));
  if (problems.length) throw new Error(problems.join('\n'));
  const run: NotebookRun = { cells: cells.length, displays: [], logs: [] };
  let current = 0;
  const show = (kind: Display['kind']) => (content: unknown) => run.displays.push({ cell: current, kind, content: String(content) });
  const tslab = { display: { html: show('html'), text: show('text'), markdown: show('other'), svg: show('other') } };
  const dir = path.dirname(path.resolve(file));
  const requireFrom = (spec: string) => (spec === 'tslab' ? tslab : require(spec.startsWith('.') ? sourceOf(dir, spec) : spec));
  const body = cells.map((src, i) => `__cell(${i});\n${src}\n`).join(';\n');
  const js = ts.transpileModule(body, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: path.basename(file) + '.ts',
  }).outputText;
  const log = (...args: unknown[]) => run.logs.push(`[cell ${current}] ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`);
  const consoleShim = { ...console, log, info: log };
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
  const program = new AsyncFunction('exports', 'require', '__cell', 'console', '__dirname', js);
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    await program({}, requireFrom, (i: number) => (current = i), consoleShim, dir);
  } catch (e) {
    const printed = run.logs.filter((l) => l.startsWith(`[cell ${current}] `)).slice(-20).join('\n');
    throw new Error(`${file}: code cell ${current + 1} of ${cells.length} threw: ${e instanceof Error ? e.stack : String(e)}\nits output:\n${printed}`);
  } finally {
    process.chdir(cwd);
  }
  return run;
}
