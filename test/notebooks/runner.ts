/**
 * A headless runner for the TypeScript notebooks (tslab kernel): every code cell of a notebook, in order, as one
 * program with top-level await, so declarations of a cell are visible to the later ones as in the kernel. The cells are
 * transpiled with the installed `typescript`; `import ... from 'tslab'` gets a stand-in that records what the notebook
 * displays; relative imports resolve from the notebook's folder (as the kernel started there does).
 *
 * Example: const r = await runNotebook('notebooks/02-datastore.ipynb'); r.cells // 9; r.displays[0].kind // 'html'
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

/** Run every code cell of `file`; a throwing cell rejects with the notebook, the cell number and the error. */
export async function runNotebook(file: string): Promise<NotebookRun> {
  const cells = codeCells(file);
  const run: NotebookRun = { cells: cells.length, displays: [], logs: [] };
  let current = 0;
  const show = (kind: Display['kind']) => (content: unknown) => run.displays.push({ cell: current, kind, content: String(content) });
  const tslab = { display: { html: show('html'), text: show('text'), markdown: show('other'), svg: show('other') } };
  const dir = path.dirname(path.resolve(file));
  const requireFrom = (spec: string) => (spec === 'tslab' ? tslab : require(spec.startsWith('.') ? path.resolve(dir, spec) : spec));
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
    throw new Error(`${file}: code cell ${current + 1} of ${cells.length} threw: ${e instanceof Error ? e.stack : String(e)}`);
  } finally {
    process.chdir(cwd);
  }
  return run;
}
