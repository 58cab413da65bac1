/**
 * Load a page in headless Chromium and report what a person would see go wrong: console errors and uncaught
 * exceptions, plus the values of a few DOM expressions (e.g. how many tokens were rendered). Talks the DevTools
 * protocol over `--remote-debugging-pipe` (fd 3 in, fd 4 out, NUL-separated JSON), so no npm package is needed.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { Readable, Writable } from 'stream';

/** The flags the issue asks for, plus a throwaway profile. */
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'];

/**
 * The Chromium executable: `$CHROMIUM` if set, else the first of chromium / chromium-browser / google-chrome on PATH;
 * null if none.
 *
 * Example: findChromium() // '/usr/bin/chromium'
 */
export function findChromium(): string | null {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return null;
}

export interface PageCheck {
  errors: string[]; // console.error messages, uncaught exceptions, failed loads
  values: Record<string, unknown>; // each expression's value after the load event
}

type Message = { id?: number; method?: string; params?: Record<string, any>; result?: any; error?: { message: string }; sessionId?: string };

/** A minimal DevTools-protocol client over the pipe. */
class Pipe {
  private nextId = 1;
  private buffer = '';
  private waiting = new Map<number, (m: Message) => void>();
  constructor(private input: Writable, output: Readable, private onEvent: (m: Message) => void) {
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => {
      this.buffer += chunk;
      let end;
      while ((end = this.buffer.indexOf('\0')) >= 0) {
        const msg = JSON.parse(this.buffer.slice(0, end)) as Message;
        this.buffer = this.buffer.slice(end + 1);
        if (msg.id !== undefined && this.waiting.has(msg.id)) this.waiting.get(msg.id)!(msg);
        else this.onEvent(msg);
      }
    });
  }
  send(method: string, params: object = {}, sessionId?: string): Promise<any> {
    const id = this.nextId++;
    this.input.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
    return new Promise((resolve, reject) =>
      this.waiting.set(id, (m) => (m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result))),
    );
  }
}

function describeEvent(m: Message): string | null {
  const p = m.params ?? {};
  if (m.method === 'Runtime.exceptionThrown') return `uncaught: ${p.exceptionDetails?.exception?.description ?? p.exceptionDetails?.text}`;
  if (m.method === 'Runtime.consoleAPICalled' && (p.type === 'error' || p.type === 'assert')) {
    return `console.${p.type}: ${(p.args ?? []).map((a: any) => a.value ?? a.description).join(' ')}`;
  }
  if (m.method === 'Log.entryAdded' && p.entry?.level === 'error') return `log: ${p.entry.text} ${p.entry.url ?? ''}`.trim();
  return null;
}

/**
 * Open `file` in headless Chromium, wait for its load event, evaluate `expressions`, and collect errors.
 *
 * Example: await checkPage('/usr/bin/chromium', 'trace.html', { tokens: "document.querySelectorAll('.tok').length" })
 *   // { errors: [], values: { tokens: 87 } }
 */
export async function checkPage(chromium: string, file: string, expressions: Record<string, string>, timeoutMs = 60000): Promise<PageCheck> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'fastcoder-chromium-'));
  const child = spawn(chromium, [...CHROMIUM_FLAGS, '--remote-debugging-pipe', `--user-data-dir=${profile}`, 'about:blank'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    detached: true, // its own process group: Chromium's renderer and helper processes are stopped with it
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const errors: string[] = [];
  let loaded: () => void = () => {};
  const loadEvent = new Promise<void>((resolve) => (loaded = resolve));
  const pipe = new Pipe(child.stdio[3] as Writable, child.stdio[4] as Readable, (m) => {
    const e = describeEvent(m);
    if (e) errors.push(e);
    if (m.method === 'Page.loadEventFired') loaded();
  });
  const exited = new Promise<never>((_, reject) => child.on('exit', (code) => reject(new Error(`${chromium} exited (${code}) before the check finished: ${stderr.slice(-500)}`))));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${file}: page did not load within ${timeoutMs} ms`)), timeoutMs)));
  const run = async (): Promise<PageCheck> => {
    const { targetInfos } = await pipe.send('Target.getTargets');
    const page = targetInfos.find((t: any) => t.type === 'page');
    const { sessionId } = await pipe.send('Target.attachToTarget', { targetId: page.targetId, flatten: true });
    for (const domain of ['Runtime', 'Log', 'Page']) await pipe.send(`${domain}.enable`, {}, sessionId);
    const nav = await pipe.send('Page.navigate', { url: pathToFileURL(path.resolve(file)).href }, sessionId);
    if (nav.errorText) errors.push(`navigation: ${nav.errorText}`);
    await loadEvent;
    const values: Record<string, unknown> = {};
    for (const [name, expression] of Object.entries(expressions)) {
      const r = await pipe.send('Runtime.evaluate', { expression, returnByValue: true }, sessionId);
      if (r.exceptionDetails) errors.push(`evaluating ${name}: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
      values[name] = r.result?.value;
    }
    return { errors, values };
  };
  try {
    return await Promise.race([run(), exited, timeout]);
  } finally {
    clearTimeout(timer);
    child.removeAllListeners('exit');
    const gone = new Promise((r) => child.once('exit', r));
    killGroup(child.pid);
    if (child.exitCode === null) {
      let wait: NodeJS.Timeout | undefined;
      await Promise.race([gone, new Promise((r) => (wait = setTimeout(r, 5000)))]);
      clearTimeout(wait);
    }
    for (const stream of child.stdio) stream?.destroy();
    fs.rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}

/** Stop a detached child and every process of its group (Chromium's renderers keep writing to the profile otherwise). */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // the group is already gone
  }
}
