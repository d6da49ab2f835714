// Attachments with the real tus-js-client (DESIGN §8c): opaque bytes uploaded with tus 1.0, interrupted and
// resumed, downloaded whole and by Range; limits, expiry and authentication as a client meets them.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import tus from 'tus-js-client';
import { Api } from '../lib/api.js';
import { startServer } from '../lib/server.js';
import { waitUntil } from '../lib/wait.js';

const MiB = 1024 * 1024;
let server;
let small;

before(async () => {
  [server, small] = await Promise.all([
    startServer(),
    // Tiny limits and lifetimes: 1 MiB uploads, gone one second after the last byte.
    startServer({
      env: {
        Attachments__MaxBytes: String(MiB),
        Attachments__DailyBytesPerAccount: String(2 * MiB),
        Attachments__Retention: '00:00:01',
        Attachments__UnfinishedRetention: '00:00:01',
        Attachments__ReaperInterval: '00:00:00.200',
      },
    }),
  ]);
});

after(async () => {
  await Promise.all([server?.stop(), small?.stop()]);
});

async function account(url) {
  return new Api(url).signUp({ identityKey: randomBytes(33), registrationId: 1234 });
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/**
 * Runs one tus upload to its end, or until `stopAt` bytes were sent (then aborts it mid-request).
 * Resolves { outcome: 'success' | 'aborted', url, resumedFrom }; rejects with tus-js-client's error.
 */
function upload(url, token, bytes, { uploadUrl = null, stopAt, chunkSize = Infinity } = {}) {
  return new Promise((resolve, reject) => {
    let resumedFrom = null;
    let aborted = false;
    // tus-js-client takes an option given as undefined for a value: pass its defaults (null, Infinity) instead.
    const transfer = new tus.Upload(bytes, {
      endpoint: `${url}/api/v1/attachments`,
      uploadUrl,
      headers: token ? { Authorization: `Bearer ${token}` } : {},
      chunkSize,
      // The interrupted request may still be committing when the resume asks: 409/423 then, and tus retries.
      retryDelays: [100, 300, 1000, 2000, 4000],
      onAfterResponse(request, response) {
        if (request.getMethod() === 'HEAD' && response.getStatus() === 200) {
          resumedFrom = Number(response.getHeader('Upload-Offset'));
        }
      },
      onProgress(sent) {
        if (stopAt !== undefined && sent >= stopAt && !aborted) {
          aborted = true;
          transfer.abort().then(() => resolve({ outcome: 'aborted', url: transfer.url }), reject);
        }
      },
      onSuccess: () => resolve({ outcome: 'success', url: transfer.url, resumedFrom }),
      onError: reject,
    });
    transfer.start();
  });
}

async function download(url, token, range) {
  const headers = { authorization: `Bearer ${token}` };
  if (range) {
    headers.range = range;
  }
  const response = await fetch(url, { headers });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

test('a 20 MiB upload interrupted halfway resumes where it stopped and downloads byte for byte', async () => {
  const alice = await account(server.url);
  const bob = await account(server.url);
  const content = randomBytes(20 * MiB);

  const first = await upload(server.url, alice.accessToken, content, { stopAt: 10 * MiB, chunkSize: 4 * MiB });
  assert.equal(first.outcome, 'aborted');
  assert.match(first.url, /\/api\/v1\/attachments\/[A-Za-z0-9_-]{22}$/);

  const second = await upload(server.url, alice.accessToken, content, { uploadUrl: first.url, chunkSize: 4 * MiB });
  assert.equal(second.outcome, 'success');
  // Two 4 MiB chunks were acknowledged before the abort, in the third: the resume skipped them.
  assert.ok(second.resumedFrom >= 8 * MiB && second.resumedFrom < 20 * MiB, `resumed from ${second.resumedFrom}`);

  const whole = await download(second.url, bob.accessToken);
  assert.equal(whole.status, 200);
  assert.equal(sha256(whole.bytes), sha256(content));
  const slice = await download(second.url, bob.accessToken, 'bytes=5000000-5000099');
  assert.equal(slice.status, 206);
  assert.equal(slice.headers.get('content-range'), `bytes 5000000-5000099/${content.length}`);
  assert.deepEqual(slice.bytes, content.subarray(5_000_000, 5_000_100));
});

test('a stranger without a token gets 401 from the upload and the download', async () => {
  const alice = await account(server.url);
  const { url } = await upload(server.url, alice.accessToken, randomBytes(1000));

  const refused = await upload(server.url, null, randomBytes(1000)).then(
    () => assert.fail('the upload should have been refused'), (error) => error);
  assert.equal(refused.originalResponse.getStatus(), 401);
  assert.equal((await fetch(url)).status, 401);
});

test('an upload over the size limit is refused with attachment_too_large', async () => {
  const alice = await account(small.url);

  const refused = await upload(small.url, alice.accessToken, randomBytes(MiB + 1)).then(
    () => assert.fail('the upload should have been refused'), (error) => error);

  assert.equal(refused.originalResponse.getStatus(), 413);
  assert.equal(JSON.parse(refused.originalResponse.getBody()).code, 'attachment_too_large');
});

test('an attachment past its retention is gone, bytes and all', async () => {
  const alice = await account(small.url);
  const content = randomBytes(64 * 1024);
  const { url } = await upload(small.url, alice.accessToken, content);
  const files = join(small.directory, 'data', 'attachments');
  assert.ok((await readdir(files)).length >= 1);

  await waitUntil(async () => (await download(url, alice.accessToken)).status === 404, 30_000, 'the attachment to be reaped');
  await waitUntil(async () => (await readdir(files)).length === 0, 30_000, 'its file to be deleted');
});
