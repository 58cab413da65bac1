import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AtomicFile, writeFileAtomic } from '../../util/atomic-file';

const root = path.join(__dirname, '../..');

describe('AtomicFile', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-atomic-'));

  test('the destination appears only at commit; abort keeps the old contents and removes the temporary file', () => {
    const file = path.join(dir, 'a.txt');
    writeFileAtomic(file, 'old');
    const f = new AtomicFile(file);
    f.write('new');
    expect(fs.readFileSync(file, 'utf8')).toBe('old');
    f.abort();
    expect([fs.readFileSync(file, 'utf8'), fs.existsSync(f.tmp)]).toEqual(['old', false]);
    const g = new AtomicFile(file);
    g.write(Buffer.from('new'));
    g.commit();
    expect([fs.readFileSync(file, 'utf8'), fs.existsSync(g.tmp)]).toEqual(['new', false]);
  });

  test('a missing parent directory is created (a results file under out/ in a fresh clone)', () => {
    const file = path.join(dir, 'new', 'deeper', 'r.json');
    writeFileAtomic(file, '{}');
    expect(fs.readFileSync(file, 'utf8')).toBe('{}');
  });

  test('a directory is refused before anything is written', () => {
    expect(() => new AtomicFile(dir)).toThrow(`${dir}: is a directory (give a file path to write)`);
    expect(fs.readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  test.each(['SIGTERM', 'SIGINT'] as const)('a process stopped by %s removes its temporary file', async (signal) => {
    const file = path.join(dir, `killed-${signal}.bin`);
    const child = spawn(path.join(root, 'node_modules/.bin/tsx'), [path.join(__dirname, 'fixtures/killed-writer.ts'), file], { cwd: root });
    const tmp = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
    expect(fs.existsSync(tmp)).toBe(true);
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      // tsx forwards the signal to its node child
      child.kill(signal);
    });
    expect(code).toBe(signal === 'SIGINT' ? 130 : 143);
    expect([fs.existsSync(tmp), fs.existsSync(file)]).toEqual([false, false]);
  });
});
