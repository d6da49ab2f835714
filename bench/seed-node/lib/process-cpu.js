import { readdirSync, readFileSync } from 'node:fs';

// CPU seconds of process trees, read from /proc (Linux): each named process with all of its descendants,
// live or already reaped (cutime/cstime), as the load tool's --cpu-of reports them.
const ticksPerSecond = 100; // USER_HZ, 100 on Linux

function readAll() {
  const processes = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) {
      continue;
    }
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After the name: state, ppid, …; fields 14–17 are utime, stime, cutime, cstime.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
      processes.set(Number(entry), { parent: Number(fields[1]), ticks });
    } catch {
      // The process ended while we looked.
    }
  }
  return processes;
}

// watched: [{ name, pid }]; returns { name: seconds }.
export function treeCpuSeconds(watched) {
  const processes = readAll();
  const children = new Map();
  for (const [pid, { parent }] of processes) {
    children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const seconds = {};
  for (const { name, pid } of watched) {
    let ticks = 0;
    const pending = [pid];
    const seen = new Set();
    while (pending.length > 0) {
      const next = pending.pop();
      if (seen.has(next) || !processes.has(next)) {
        continue;
      }
      seen.add(next);
      ticks += processes.get(next).ticks;
      pending.push(...(children.get(next) ?? []));
    }
    seconds[name] = (seconds[name] ?? 0) + ticks / ticksPerSecond;
  }
  return seconds;
}
