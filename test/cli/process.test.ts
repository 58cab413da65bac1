/**
 * Process-level behaviour, in child processes: jest keeps its own event loop alive, so an exit caused by the loop
 * draining can only be seen from outside.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

const root = path.join(__dirname, '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');

function child(script: string, args: string[] = []): { code: number | null; out: string; err: string } {
  const r = spawnSync(tsx, [path.join(__dirname, script), ...args], { cwd: root, encoding: 'utf8', timeout: 60000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('entry points (runEntryPoint)', () => {
  test('an event loop that empties before main settles exits 1 with a message, not 0 with nothing', () => {
    const r = child('fixtures/never-settles.ts');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^never-settles: internal error: the process ran out of work before the command finished/);
  });

  test("main's exit code, and an error as `name: message` with exit 1", () => {
    expect(child('fixtures/fails.ts').code).toBe(3);
    const r = child('fixtures/fails.ts', ['throw']);
    expect([r.code, r.err.trim()]).toEqual([1, 'fails: data.json: not JSON']);
  });
});

describe('worker pools', () => {
  // Before the fix every one of these runs exited 0 without printing: close() unreferenced workers still terminating.
  test.each([1, 2, 3])('SearchPool: a program that awaits close() carries on afterwards (run %i)', () => {
    const r = child('../retrieval/fixtures/search-pool-close.ts');
    expect([r.code, r.out.trim()]).toEqual([0, 'closed after 4 matches']);
  });
});
