import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readJsonFile, readJsonObject } from '../../util/json-file';

describe('readJsonFile / readJsonObject', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-json-'));
  const file = (name: string, text: string): string => (fs.writeFileSync(path.join(dir, name), text), path.join(dir, name));

  test.each([
    ['a.json', '{"x": [1, 2]}', { x: [1, 2] }],
    ['b.json', '[1, 2]', [1, 2]],
  ])('%s parses', (name, text, want) => expect(readJsonFile(file(name, text))).toEqual(want));

  test.each([
    ['missing', () => readJsonFile(path.join(dir, 'nope.json')), /nope\.json: file not found$/],
    ['a directory', () => readJsonFile(dir), /: is a directory, expected a JSON file$/],
    ['bad JSON', () => readJsonFile(file('c.json', '{"x": ')), /c\.json: not valid JSON \(/],
    ['an array where an object is expected', () => readJsonObject(file('d.json', '[1]')), /d\.json: expected a JSON object$/],
    ['null where an object is expected', () => readJsonObject(file('e.json', 'null')), /e\.json: expected a JSON object$/],
  ])('%s: the error names the file and the problem', (_name, read, message) => expect(read).toThrow(message));
});
