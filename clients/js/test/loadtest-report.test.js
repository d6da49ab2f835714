// The load tool's HTML report in Debian's headless Chromium (playwright-core, /usr/bin/chromium): after a short real
// run against the built server, the report opens from disk, draws its charts (inline SVG) and fetches nothing at all,
// so it can be archived as a CI artifact and read offline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { loadToolDll, startServer } from '../lib/server.js';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

test('A load run\'s HTML report renders its charts in Chromium and requests nothing', async () => {
  assert.ok(existsSync(loadToolDll), `${loadToolDll} is missing: dotnet build src/E2eeChat.LoadTest`);
  const server = await startServer();
  const out = await mkdtemp(join(tmpdir(), 'e2eechat-report-'));
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  try {
    const loadRun = await run('dotnet', [loadToolDll, 'pairs', '--url', server.url, '--pairs', '2', '--duration', '3s',
      '--warmup', '1s', '--progress', 'none', '--out', out]);
    assert.equal(loadRun.code, 0, loadRun.output);

    const page = await browser.newPage();
    const requested = [];
    page.on('request', (request) => {
      if (!request.url().startsWith('file:') && !request.url().startsWith('data:')) {
        requested.push(request.url());
      }
    });
    await page.goto(pathToFileURL(join(out, 'report.html')).href);

    await page.getByText('Key figures', { exact: true }).waitFor();
    await page.getByText('Over time', { exact: true }).waitFor();
    // Every chart is an inline SVG that drew something: lines, bars or points.
    const charts = await page.$$eval('svg', (svgs) => svgs.map((svg) => svg.querySelectorAll('path, polyline, rect, circle, line').length));
    assert.ok(charts.length >= 2, `charts: ${charts}`);
    assert.ok(charts.every((marks) => marks > 0), `a chart drew nothing: ${charts}`);
    const box = await page.locator('svg').first().boundingBox();
    assert.ok(box.width > 100 && box.height > 50, `the first chart is ${box.width}×${box.height}`);
    assert.deepEqual(requested, []);
  } finally {
    await browser.close();
    await server.stop();
    await rm(out, { recursive: true, force: true });
  }
});
