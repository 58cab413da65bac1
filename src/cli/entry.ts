/**
 * How every entry point (`src/cli/main.ts`, `scripts/*.ts`) ends: `main`'s exit code, or 1 with `name: message` on
 * an error (the stack only with FASTCODER_DEBUG set), or 1 with a message if the event loop empties while `main` is
 * still pending. That last case is a bug (something awaited a handle that nothing keeps alive, as `--parallel` once
 * did when its search workers were unreferenced while terminating); without this Node exits 0 with nothing printed.
 *
 * Example (last line of a script):
 *   runEntryPoint('bench:model', () => main(process.argv.slice(2)));   // main(): Promise<number | void>
 */
export function runEntryPoint(name: string, main: () => Promise<number | void>): void {
  let finished = false;
  process.on('beforeExit', () => {
    if (finished) return;
    console.error(`${name}: internal error: the process ran out of work before the command finished (a promise that nothing can settle); nothing was completed. Run with FASTCODER_DEBUG=1 and report it.`);
    process.exit(1);
  });
  main().then(
    (code) => {
      finished = true;
      process.exit(code ?? 0);
    },
    (err: unknown) => {
      finished = true;
      // Library errors carry a message that names the file and the problem; no stack unless asked for.
      console.error(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      if (process.env.FASTCODER_DEBUG && err instanceof Error) console.error(err.stack);
      process.exit(1);
    },
  );
}
