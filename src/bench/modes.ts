/**
 * The `--modes` list of `fastcoder bench`: the four methods and the Table II ablation rows of `src/decode`.
 */
import { ABLATIONS, MODES, type GenerateOptions } from '../decode/generate';

/** A mode as run: its name in the results and the generate options it sets. */
export interface ModeSpec {
  name: string;
  options: Pick<GenerateOptions, 'mode' | 'repo' | 'cache' | 'timing' | 'parallel' | 'label'>;
}

const slug = (s: string) => s.replace(/\s+/g, '-');

/**
 * Parse a comma-separated mode list. Table II rows may be written with '-' for spaces ('w/o-cache', 'w/-parallel');
 * 'ablations' expands to every row but `fastcoder` itself. `ar` always runs first (the others are compared with it).
 *
 * Example: parseModes('fastcoder,w/o-cache,ar').map((m) => m.name) // ['ar', 'fastcoder', 'w/o-cache']
 */
export function parseModes(list: string): ModeSpec[] {
  const names = list.split(',').map((s) => s.trim()).filter(Boolean).flatMap((n) => (n === 'ablations' ? ABLATIONS.filter((r) => r.name !== 'fastcoder').map((r) => slug(r.name)) : [n]));
  const known = [...MODES, ...ABLATIONS.map((r) => slug(r.name))];
  const specs: ModeSpec[] = [];
  for (const name of [...new Set(names)]) {
    if ((MODES as readonly string[]).includes(name)) specs.push({ name, options: { mode: name as ModeSpec['options']['mode'] } });
    else {
      const row = ABLATIONS.find((r) => slug(r.name) === slug(name));
      if (!row) throw new Error(`--modes: unknown mode '${name}' (known: ${known.join(', ')}, ablations)`);
      specs.push({ name: slug(row.name), options: { ...row.options, label: slug(row.name) } });
    }
  }
  if (!specs.length) throw new Error('--modes: empty list');
  return specs.sort((a, b) => Number(b.name === 'ar') - Number(a.name === 'ar'));
}
