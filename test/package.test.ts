/**
 * The package as a user meets it: `import { generate } from 'fastcoder'` resolves to the build of src/index.ts (the
 * entry points name the files `npm run build` writes), and `fastcoder --version` prints the package's version.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const root = path.join(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const build = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8'));
const base = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8'));

/** Where tsc writes `src` (rootDir '.', outDir 'dist'). Example: built('src/index.ts', '.d.ts') → 'dist/src/index.d.ts' */
const built = (src: string, ext: string): string => path.posix.join(base.compilerOptions.outDir, src.replace(/\.ts$/, ext));

test('main, types and exports name the build of src/index.ts, which the build emits with declarations', () => {
  expect(base.compilerOptions.rootDir).toBe('.');
  expect(build.compilerOptions.declaration).toBe(true);
  expect(build.include).toContain('src');
  expect(pkg.main).toBe(built('src/index.ts', '.js'));
  expect(pkg.types).toBe(built('src/index.ts', '.d.ts'));
  expect(pkg.exports['.']).toEqual({ types: `./${pkg.types}`, default: `./${pkg.main}` });
  expect(pkg.bin.fastcoder).toBe(built('src/cli/main.ts', '.js'));
});

test('fastcoder --version prints the package version', () => {
  const r = spawnSync(path.join(root, 'node_modules/.bin/tsx'), ['src/cli/main.ts', '--version'], { cwd: root, encoding: 'utf8', timeout: 60000 });
  expect([r.status, r.stdout.trim()]).toEqual([0, `fastcoder ${pkg.version}`]);
});
