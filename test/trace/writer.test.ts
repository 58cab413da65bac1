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
