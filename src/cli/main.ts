#!/usr/bin/env node
/**
 * `fastcoder <command> [options]`: one module per command under `src/cli/`, loaded on demand so that a command
 * that needs no TensorFlow.js does not load it. Each module exports `run(argv): Promise<number>` (the exit code).
 */
import * as fs from 'fs';
import * as path from 'path';
import { readJsonObject } from '../../util/json-file';
import { runEntryPoint } from './entry';

type Command = { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> };

const COMMANDS: Record<string, Command> = {
  index: { summary: 'build a retrieval datastore (token suffix array) from files or a .tar.gz', load: () => import('./build-index') },
  generate: { summary: 'decode a prompt with ar | pld | rest | fastcoder; stream text, print L, F, L/F, ms/token', load: () => import('./generate') },
  'verify-hf': { summary: 'check the model against Hugging Face logits in an hf-llama fixture directory', load: () => import('./verify-hf') },
  bench: { summary: 'benchmark modes on HumanEval / RepoEval (oracle or model), write results JSON', load: () => import('./bench') },
  trace: { summary: 'render a trace JSONL as a self-contained HTML page', load: () => import('./trace') },
  report: { summary: 'print a results file as Tables I/II/IV; --html with charts', load: () => import('./report') },
};

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`);
  return ['usage: fastcoder <command> [options]', '', 'commands:', ...rows, '', 'fastcoder <command> --help for its options; fastcoder --version'].join('\n');
}

/** The version in the package.json above this file (src/cli/ in a checkout, dist/src/cli/ when built). */
function version(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) return String(readJsonObject(file).version);
    if (path.dirname(dir) === dir) return 'unknown';
  }
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') {
    console.log(`fastcoder ${version()}`);
    return 0;
  }
  if (!name || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`fastcoder: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  return (await command.load()).run(rest);
}

runEntryPoint('fastcoder', () => main(process.argv.slice(2)));
