/**
 * The tokenizer against ids from the HF Rust tokenizer: llama.cpp's 46 test vectors for DeepSeek-Coder and for the
 * Llama-2 SPM vocabulary (CodeLlama), and the tinystories-656k fixture prompt.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadTokenizer, splitNumericChars } from '../../model/tokenizer';

const FIX = path.join(__dirname, '..', 'fixtures');

/** llama.cpp's .inp (inputs separated by `\n__ggml_vocab_test__\n`) / .out (one line of ids per input). */
function readVectors(dir: string, stem: string): [string, number[]][] {
  const inputs = fs.readFileSync(path.join(dir, `${stem}.inp`), 'utf8').split('\n__ggml_vocab_test__\n').slice(0, -1);
  const outputs = fs.readFileSync(path.join(dir, `${stem}.out`), 'utf8').split('\n').slice(0, -1);
  expect(outputs.length).toBe(inputs.length);
  return inputs.map((text, i) => [text, outputs[i].trim() === '' ? [] : outputs[i].trim().split(/\s+/).map(Number)]);
}

describe.each([
  ['deepseek-coder', 'ggml-vocab-deepseek-coder.gguf'],
  ['codellama', 'ggml-vocab-llama-spm.gguf'],
])('%s test vectors', (name, stem) => {
  const dir = path.join(FIX, 'tokenizers', name);
  const tok = loadTokenizer(dir);
  const vectors = readVectors(path.join(dir, 'testvectors'), stem);

  test('there are 46 of them', () => expect(vectors).toHaveLength(46));

  test.each(vectors.map(([text, ids], i) => [i, JSON.stringify(text), text, ids] as const))('#%i %s', (_i, _shown, text, ids) => {
    expect(tok.encode(text)).toEqual(ids);
  });
});

describe('DeepSeek-Coder specifics', () => {
  const tok = loadTokenizer(path.join(FIX, 'tokenizers', 'deepseek-coder'));

  test('BOS is added only with addSpecialTokens (tokenizer_config add_bos_token, as HF LlamaTokenizerFast)', () => {
    const plain = tok.encode('def f():');
    expect(tok.bosId).toBe(32013); // config.json bos_token_id
    expect(tok.encode('def f():', { addSpecialTokens: true })).toEqual([32013, ...plain]);
  });

  // tiny-coder-dsc layout: DeepSeek tokenizer.json, no tokenizer_config.json, config.json bos 32013 / eos 32014
  test('a model config.json decides BOS/EOS; BOS is still added (add_bos_token defaults to true)', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tok-'));
    fs.copyFileSync(path.join(tok.dir, 'tokenizer.json'), path.join(tmp, 'tokenizer.json'));
    fs.writeFileSync(path.join(tmp, 'config.json'), JSON.stringify({ bos_token_id: 32013, eos_token_id: 32014 }));
    const bare = loadTokenizer(tmp);
    expect([bare.bosId, bare.eosIds]).toEqual([32013, [32014]]);
    expect(bare.encode('x = 1', { addSpecialTokens: true })).toEqual([32013, ...tok.encode('x = 1')]);
    fs.rmSync(tmp, { recursive: true });
  });

  test('without config.json, EOS comes from tokenizer_config (the instruct <|EOT|> = 32021)', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tok-'));
    for (const f of ['tokenizer.json', 'tokenizer_config.json']) fs.copyFileSync(path.join(tok.dir, f), path.join(tmp, f));
    const t = loadTokenizer(tmp);
    expect([t.bosId, t.eosIds]).toEqual([32013, [32021]]);
    fs.rmSync(tmp, { recursive: true });
  });

  test('decode inverts encode on code', () => {
    const code = 'def add(a, b):\n\treturn a + b  # ½ \u00e9\n';
    expect(tok.decode(tok.encode(code))).toBe(code);
  });

  test('no ids decode to no text (tokenizers.js alone refuses an empty list)', () => {
    expect(tok.decode([])).toBe('');
    expect(tok.decode(new Int32Array(0), { skipSpecialTokens: false })).toBe('');
  });

  // HF's Digits pre-tokenizer uses Rust char::is_numeric (Nd, Nl, No); tokenizers.js only \p{Nd}. The wrapper splits
  // No/Nl characters out first; without that, vector #0 ('ied 4 ½ months' → ... 207 19192 4217) fails.
  test('numeric (No/Nl) characters are split out like HF Digits', () => {
    expect(splitNumericChars('ied 4 ½ months')).toEqual(['ied 4 ', '½', ' months']);
    expect(splitNumericChars('Ⅻ①x')).toEqual(['Ⅻ', '①', 'x']);
    expect(splitNumericChars('abc 123')).toEqual(['abc 123']);
  });
});

describe('tinystories-656k fixture prompt', () => {
  const dir = path.join(FIX, 'hf-llama', 'tinystories-656k');
  const cases = JSON.parse(fs.readFileSync(path.join(dir, 'cases.json'), 'utf8'));
  const tok = loadTokenizer(path.join(dir, 'model'));

  test('prompt_text → the fixture prompt ids, BOS included', () => {
    expect(tok.encode(cases.prompt_text, { addSpecialTokens: true })).toEqual(cases.prompt);
  });

  test('greedy continuation decodes to the fixture text', () => {
    expect(tok.decode([...cases.prompt, ...cases.greedy.tokens_use_cache])).toBe(cases.greedy.text);
  });
});
