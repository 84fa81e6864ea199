// Progress lines for long steps: "[3/11] compile ... done in 1.2s".

export interface StepReporter {
  /** Run one named step, printing its start, and its duration or failure. */
  step<T>(name: string, run: () => Promise<T>): Promise<T>;
  /** Note a step skipped because its inputs did not change. */
  skip(name: string, why: string): void;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(0)}ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)}s` : `${(ms / 60_000).toFixed(1)}min`;
}

export function stepReporter(total: number, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): StepReporter {
  let index = 0;
  const prefix = () => `[${String(++index).padStart(String(total).length)}/${total}]`;
  return {
    async step(name, run) {
      const p = prefix();
      log(`${p} ${name} ...`);
      const started = performance.now();
      try {
        const result = await run();
        log(`${p} ${name} done in ${formatDuration(performance.now() - started)}`);
        return result;
      } catch (e) {
        log(`${p} ${name} FAILED after ${formatDuration(performance.now() - started)}`);
        throw e;
      }
    },
    skip(name, why) {
      log(`${prefix()} ${name} skipped (${why})`);
    },
  };
}
