// The API reference at /docs in Debian's headless Chromium (playwright-core, /usr/bin/chromium; test.sh installs it):
// the embedded server serves it by default, its operations render from the OpenAPI document, and the page loads
// nothing from anywhere but the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer } from '../lib/server.js';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

test('The API reference at /docs renders the operations of the OpenAPI document and loads nothing from elsewhere', async () => {
  const server = await startServer();
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    const elsewhere = [];
    const failed = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(server.url) && !request.url().startsWith('data:')) {
        elsewhere.push(request.url());
      }
    });
    page.on('response', (response) => {
      if (response.status() >= 400) {
        failed.push(`${response.status()} ${response.url()}`);
      }
    });

    const response = await page.goto(`${server.url}/docs`);
    assert.equal(response.status(), 200);
    // Operations render grouped by controller; the send operation is one of them.
    await page.getByText('/api/v1/rooms/{roomId}/messages').first().waitFor({ timeout: 30_000 });
    await page.getByText('Messages', { exact: true }).first().waitFor();
    const document = await (await fetch(`${server.url}/openapi/v1.json`)).json();
    assert.match(document.paths['/api/v1/messages/{userId}'].put.summary, /one envelope per destination device/);

    assert.deepEqual(elsewhere, []);
    assert.deepEqual(failed, []);
  } finally {
    await browser.close();
    await server.stop();
  }
});
