// Preloaded by the bench (node --import) into a sandbox flip: every timer the process sets is
// kept as {ms, start, end} (epoch ms, sub-ms precision) and written to $BENCH_TIMER_TRACE at exit,
// so the bench can tell the simulated calls' waits from the run's own time. Observes only.
import { writeFileSync } from 'node:fs';

const out = process.env.BENCH_TIMER_TRACE;
if (out) {
  const now = () => performance.timeOrigin + performance.now();
  const spans = [];
  const open = new Map();
  const { setTimeout: realSet, clearTimeout: realClear } = globalThis;
  globalThis.setTimeout = function setTimeout(fn, ms, ...args) {
    const span = { ms: Number(ms ?? 0), start: now(), end: undefined };
    spans.push(span);
    const timer = realSet(
      (...a) => {
        span.end = now();
        open.delete(timer);
        return fn(...a);
      },
      ms,
      ...args,
    );
    open.set(timer, span);
    return timer;
  };
  globalThis.clearTimeout = function clearTimeout(timer) {
    const span = open.get(timer);
    if (span) {
      span.end = now();
      open.delete(timer);
    }
    return realClear(timer);
  };
  process.on('exit', () => writeFileSync(out, JSON.stringify(spans.filter((s) => s.end !== undefined))));
}
