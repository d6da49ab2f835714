// Starts the built E2eeChat server as its own process, as an operator would run it: the embedded
// default (SQLite in ./data of a fresh temp directory) on a free loopback port.
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitUntil } from './wait.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The load tool's build (`dotnet build src/E2eeChat.LoadTest`), for the test of its HTML report. */
export const loadToolDll = process.env.E2EECHAT_LOADTEST_DLL
  ?? join(repoRoot, 'src/E2eeChat.LoadTest/bin/Debug/net10.0/E2eeChat.LoadTest.dll');

/** The server build the tests run; `dotnet build src/E2eeChat.Server` makes it. */
export const serverDll = process.env.E2EECHAT_SERVER_DLL
  ?? join(repoRoot, 'src/E2eeChat.Server/bin/Debug/net10.0/E2eeChat.Server.dll');

/** Every rate-limit bucket of the server (src/E2eeChat.Server/Limits/RateLimitBucket.cs). */
const rateLimitBuckets = [
  'SignupPerIp',
  'TokenPerIp',
  'TokenPerUsernameAndIp',
  'TokenPerUsername',
  'RefreshPerIp',
  'LinkPerIp',
  'LinkPerAccount',
  'DeviceRemovalsPerAccount',
  'HubConnectsPerDevice',
  'UserLookupsPerAccount',
  'ReadsPerAccount',
  'MessagesPerAccount',
  'MessagesPerPair',
  'UnidentifiedMessagesPerIp',
  'UnidentifiedMessagesPerDestination',
  'AccountAttributesPerAccount',
  'AcksPerDevice',
  'ReadMarksPerDevice',
  'TypingPerDevice',
  'KeyUploadsPerDevice',
  'PrekeyFetchPerDevicePair',
  'SenderCertificatesPerAccount',
  'RoomCreationsPerAccount',
  'RoomInvitationsPerAccount',
  'RoomChangesPerAccount',
  'AttachmentUploadsPerAccount',
  'AttachmentRequestsPerAccount',
  'CallingRelaysPerAccount',
  'PushRegistrationsPerAccount',
];

/** The cheapest password hashing Argon2id accepts (8 MiB, 1 pass) and rate limits no test reaches. */
export const testSettings = Object.freeze({
  PasswordHashing__MemoryKiB: '8192',
  PasswordHashing__Iterations: '1',
  ...Object.fromEntries(rateLimitBuckets.map((bucket) => [`RateLimits__${bucket}__PermitLimit`, '100000'])),
});

/**
 * A loopback TCP port nothing listens on right now, below Linux's ephemeral range (32768–60999), as the .NET
 * fixtures' FreePort does: a port the kernel hands out for "any port" comes from that range, where an outgoing
 * connection may take it before the server binds it.
 */
export async function freePort() {
  for (let attempt = 0; attempt < 1000; attempt += 1) {
    const port = 20000 + randomInt(12768);
    if (await canListenOn(port)) {
      return port;
    }
  }
  throw new Error('no free loopback port from 20000 to 32767 in 1000 tries');
}

function canListenOn(port) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/**
 * Starts the server and waits for /health/ready. `env` adds or overrides settings
 * (`Section__Key` names). Returns { url, directory (its working directory: ./data is in it), output(), stop() }.
 */
export async function startServer({ env = {}, readyTimeoutMs = 60_000 } = {}) {
  if (!existsSync(serverDll)) {
    throw new Error(`${serverDll} is missing: build the server first (dotnet build src/E2eeChat.Server).`);
  }
  const directory = await mkdtemp(join(tmpdir(), 'e2eechat-js-'));
  const url = `http://127.0.0.1:${await freePort()}`;
  const child = spawn('dotnet', [serverDll, '--urls', url], {
    cwd: directory,
    env: { ...process.env, ...testSettings, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk) => {
    if (output.length < 256 * 1024) {
      output += chunk;
    }
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  let exitCode;
  exited.then((code) => { exitCode = code; });

  const stop = async () => {
    if (exitCode === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(directory, { recursive: true, force: true });
  };

  try {
    await waitUntil(async () => {
      if (exitCode !== undefined) {
        throw new Error(`The server exited (${exitCode}) during start:\n${output}`);
      }
      try {
        return (await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) })).ok;
      } catch {
        return false;
      }
    }, readyTimeoutMs, 'the server to become ready');
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, directory, output: () => output, stop };
}
