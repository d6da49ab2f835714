// Drives the seed-style server (server.js) the way the load tool drives E2eeChat with `pairs --closed-loop delivery`:
// P pairs of users, one Socket.IO connection each (WebSocket only); each sender sends a message and sends the next
// when its receiver has it. Content is base64 of --size random bytes (1024 → 1,368 characters, what a 1 KiB
// envelope's content is on E2eeChat's JSON wire). After --warmup, counts deliveries and send → receive latency for
// --duration; prints one JSON line.
//   node driver.js --url http://127.0.0.1:5098 [--pairs 50] [--size 1024] [--duration 20s] [--warmup 5s]
//                  [--settle 10s] [--cpu-of server=PID] [--cpu-of postgres=PID]
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { io } from 'socket.io-client';
import { milliseconds, parseOptions } from './lib/options.js';
import { treeCpuSeconds } from './lib/process-cpu.js';

const options = parseOptions(process.argv.slice(2),
  { url: '', pairs: '50', size: '1024', duration: '20s', warmup: '5s', settle: '10s' });
if (!options.url) {
  throw new Error('--url is required');
}
const pairCount = Number(options.pairs);
const settleMs = milliseconds(options.settle);
const content = randomBytes(Number(options.size)).toString('base64');

function connect(user) {
  return new Promise((resolve, reject) => {
    const socket = io(options.url, { transports: ['websocket'], auth: { user }, reconnection: false });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

const pairs = [];
for (let i = 0; i < pairCount; i++) {
  const pair = { sender: await connect(`s${i}`), receiver: await connect(`r${i}`), to: `r${i}`, next: 0, waiting: null };
  pair.receiver.on('message', (message) => {
    if (pair.waiting?.clientMessageId === message.clientMessageId) {
      pair.waiting.arrived();
    }
  });
  pairs.push(pair);
}

let measuring = false;
let stopped = false;
let delivered = 0;
let timeouts = 0;
const latencies = [];

// One send, resolved when the receiver has it (true) or after the settle time (false).
function sendAndAwait(pair) {
  const clientMessageId = ++pair.next;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), settleMs);
    pair.waiting = { clientMessageId, arrived: () => { clearTimeout(timer); resolve(true); } };
    pair.sender.emit('message', { to: pair.to, clientMessageId, content });
  });
}

async function loop(pair) {
  while (!stopped) {
    const sentAt = performance.now();
    const arrived = await sendAndAwait(pair);
    if (!measuring) {
      continue;
    }
    if (arrived) {
      delivered++;
      latencies.push(performance.now() - sentAt);
    } else {
      timeouts++;
    }
  }
}

const loops = pairs.map(loop);
await new Promise((resolve) => setTimeout(resolve, milliseconds(options.warmup)));
const cpuBefore = treeCpuSeconds(options.cpuOf);
const ownBefore = process.cpuUsage();
const startedAt = performance.now();
measuring = true;
await new Promise((resolve) => setTimeout(resolve, milliseconds(options.duration)));
measuring = false;
const seconds = (performance.now() - startedAt) / 1000;
const cpuAfter = treeCpuSeconds(options.cpuOf);
const own = process.cpuUsage(ownBefore);
const counted = delivered;
stopped = true;
await Promise.all(loops);
for (const pair of pairs) {
  pair.sender.disconnect();
  pair.receiver.disconnect();
}

latencies.sort((a, b) => a - b);
const percentile = (p) => (latencies.length === 0 ? null
  : Math.round(latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] * 100) / 100);
const cores = { driver: Math.round(((own.user + own.system) / 1e6 / seconds) * 100) / 100 };
for (const name of Object.keys(cpuAfter)) {
  cores[name] = Math.round(((cpuAfter[name] - cpuBefore[name]) / seconds) * 100) / 100;
}
console.log(JSON.stringify({
  messagesPerSecond: Math.round((counted / seconds) * 10) / 10,
  delivered: counted,
  timeouts,
  seconds: Math.round(seconds * 100) / 100,
  pairs: pairCount,
  size: Number(options.size),
  contentCharacters: content.length,
  p50Ms: percentile(50),
  p99Ms: percentile(99),
  cores,
}));
process.exit(timeouts > 0 ? 2 : 0);
