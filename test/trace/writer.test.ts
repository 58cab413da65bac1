import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { JsonlTraceWriter } from '../../src/trace/writer';

test('JsonlTraceWriter writes one JSON object per line', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'trace-')), 't.jsonl');
  const w = new JsonlTraceWriter(file);
  w.write({ kind: 'header', mode: 'ar', options: {}, promptTokens: [1], promptText: 'x' });
  w.close();
  expect(fs.readFileSync(file, 'utf8')).toBe('{"kind":"header","mode":"ar","options":{},"promptTokens":[1],"promptText":"x"}\n');
  expect(() => w.write({ kind: 'header', mode: 'ar', options: {}, promptTokens: [], promptText: '' })).toThrow(/already closed/);
  expect(() => new JsonlTraceWriter(path.join(file, 'no', 'dir.jsonl'))).toThrow(/cannot write the trace/);
});

test('two JsonlTraceWriters on one file, written in turn: the file holds one whole trace (the last closed), never both', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trace-'));
  const file = path.join(dir, 't.jsonl');
  const header = (mode: string) => ({ kind: 'header' as const, mode, options: {}, promptTokens: [1], promptText: 'x' });
  const [a, b] = [new JsonlTraceWriter(file), new JsonlTraceWriter(file)];
  for (let i = 0; i < 3; i++) [a, b].forEach((w, j) => w.write(header(`${'ab'[j]}${i}`)));
  b.close();
  a.close();
  expect(fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).mode)).toEqual(['a0', 'a1', 'a2']);
  const failed = new JsonlTraceWriter(file);
  failed.write(header('c0'));
  failed.abort(); // a failed run leaves the earlier trace, and no temporary file
  expect(fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).mode)).toEqual(['a0', 'a1', 'a2']);
  expect(fs.readdirSync(dir)).toEqual(['t.jsonl']);
  expect(() => new JsonlTraceWriter(dir)).toThrow(`${dir}: cannot write the trace (is a directory (give a file path to write))`);
});
