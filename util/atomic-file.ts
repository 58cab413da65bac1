/**
 * A file written under a temporary name next to its destination and renamed into place when complete, so that a
 * reader never sees half a file and two runs writing the same path never interleave (the last to finish wins, whole).
 * The temporary file is removed when writing fails, when the process exits before `commit()`, and on SIGINT/SIGTERM
 * (a killed index build left a 15 MB `*.tmp-PID` behind); only SIGKILL can leave one. A missing parent directory is
 * created.
 *
 * Example:
 *   const f = new AtomicFile('out/t.jsonl');   // writes out/t.jsonl.tmp-<pid>-<n>
 *   f.write('{"kind":"header"}\n');
 *   f.commit();                                // renamed to out/t.jsonl
 *   writeFileAtomic('out/r.json', JSON.stringify(results));
 */
import * as fs from 'fs';
import * as path from 'path';

const open = new Set<AtomicFile>(); // files not yet committed or aborted: removed if the process ends first
let made = 0; // AtomicFiles made by this process: two writing one path get different temporary files

export class AtomicFile {
  readonly tmp: string; // the temporary path being written
  private fd: number | null;

  constructor(readonly file: string) {
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new Error(`${file}: is a directory (give a file path to write)`);
    this.tmp = `${file}.tmp-${process.pid}-${made++}`;
    try {
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true }); // `--out out/r.json` in a fresh clone: out/ is made
      this.fd = fs.openSync(this.tmp, 'w');
    } catch (e) {
      throw new Error(`${file}: cannot write (${(e as Error).message})`);
    }
    if (open.size === 0) listen(true);
    open.add(this);
  }

  write(data: string | Uint8Array): void {
    if (this.fd === null) throw new Error(`${this.file}: already closed`);
    if (typeof data === 'string') fs.writeSync(this.fd, data);
    else fs.writeSync(this.fd, data);
  }

  /** Close and rename into place. */
  commit(): void {
    if (this.fd === null) throw new Error(`${this.file}: already closed`);
    this.close();
    fs.renameSync(this.tmp, this.file);
  }

  /** Close and remove the temporary file; the destination is left as it was. Safe to call more than once. */
  abort(): void {
    if (this.fd === null && !open.has(this)) return;
    this.close();
    fs.rmSync(this.tmp, { force: true });
  }

  private close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
    open.delete(this);
    if (open.size === 0) listen(false);
  }
}

/** `data` written to `file` through an AtomicFile (removed again if the write fails). */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const f = new AtomicFile(file);
  try {
    f.write(data);
    f.commit();
  } finally {
    f.abort();
  }
}

function abortAll(): void {
  for (const f of [...open]) f.abort();
}

const onSignal = (signal: NodeJS.Signals): void => {
  abortAll();
  process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
};

/** Clean-up handlers, installed only while some file is open (so that a program without one keeps Node's defaults). */
function listen(on: boolean): void {
  const method = on ? 'on' : 'off';
  process[method]('exit', abortAll);
  process[method]('SIGINT', onSignal);
  process[method]('SIGTERM', onSignal);
}
