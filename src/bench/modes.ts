/**
 * The `--modes` list of `fastcoder bench`: the methods (with `fastcoder-plus`), the Table II ablation rows and the plus
 * ablation rows of `src/decode`.
 */
import { ABLATIONS, MODES, PLUS_ABLATIONS, type GenerateOptions } from '../decode/generate';

/** A mode as run: its name in the results and the generate options it sets. */
export interface ModeSpec {
  name: string;
  options: Pick<GenerateOptions, 'mode' | 'repo' | 'cache' | 'timing' | 'parallel' | 'plus' | 'label'>;
}

const slug = (s: string) => s.replace(/\s+/g, '-');

/**
 * Parse a comma-separated mode list. Table II rows may be written with '-' for spaces ('w/o-cache', 'w/-parallel');
 * 'ablations' expands to every row but `fastcoder` itself, 'plus-ablations' to the PLUS_ABLATIONS rows ('+norm', ...). `ar` always runs first (the others are compared with it).
 *
 * Example: parseModes('fastcoder,w/o-cache,ar').map((m) => m.name) // ['ar', 'fastcoder', 'w/o-cache']
 */
export function parseModes(list: string): ModeSpec[] {
  const expand = (n: string) => (n === 'ablations' ? ABLATIONS.filter((r) => r.name !== 'fastcoder').map((r) => slug(r.name)) : n === 'plus-ablations' ? PLUS_ABLATIONS.map((r) => r.name) : [n]);
  const names = list.split(',').map((s) => s.trim()).filter(Boolean).flatMap(expand);
  const rows = [...ABLATIONS, ...PLUS_ABLATIONS];
  const known = [...MODES, ...rows.map((r) => slug(r.name))];
  const specs: ModeSpec[] = [];
  for (const name of [...new Set(names)]) {
    if ((MODES as readonly string[]).includes(name)) specs.push({ name, options: { mode: name as ModeSpec['options']['mode'] } });
    else {
      const row = rows.find((r) => slug(r.name) === slug(name));
      if (!row) throw new Error(`--modes: unknown mode '${name}' (known: ${known.join(', ')}, ablations, plus-ablations)`);
      specs.push({ name: slug(row.name), options: { ...row.options, label: slug(row.name) } });
    }
  }
  if (!specs.length) throw new Error('--modes: empty list');
  return specs.sort((a, b) => Number(b.name === 'ar') - Number(a.name === 'ar'));
}
