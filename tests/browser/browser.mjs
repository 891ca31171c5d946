// Starts the static server on a free localhost port and Debian's Chromium
// (headless, through playwright-core; no browser is downloaded).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForServer(url, deadlineMs) {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the static server did not answer at ${url}`);
}

// Serves web/dist (or NFVI_WEB_DIST: another build of the page, e.g. an
// older one, to see a test fail on it); returns { url, stop }.
export async function serveDist() {
  const port = await freePort();
  const dist = process.env.NFVI_WEB_DIST ?? path.join(root, 'web', 'dist');
  const server = spawn(path.join(root, 'node_modules', '.bin', 'http-server'),
    [dist, '-a', '127.0.0.1', '-p', String(port), '-c-1', '--silent'], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/`;
  await waitForServer(url, 10000);
  return { url, stop: () => server.kill() };
}

export async function launchChromium() {
  const profile = mkdtempSync(path.join(tmpdir(), 'nfvi-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.NFVI_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 1000 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--disable-sync', '--disable-quic'],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// The page a test file drives: the static server, Chromium, and one page
// whose console errors and uncaught exceptions are pushed to consoleErrors.
// timeout: the page's default timeout in ms (null: playwright's own).
// Returns { server, browser, page, close }.
export async function startTestPage(consoleErrors, { timeout = 30000 } = {}) {
  const server = await serveDist();
  const browser = await launchChromium();
  const page = await browser.context.newPage();
  if (timeout !== null) page.setDefaultTimeout(timeout);
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  return {
    server,
    browser,
    page,
    close: async () => {
      await browser.close();
      server.stop();
    },
  };
}

// Writes a test's own file, dir/name (dir made if need be), and returns its path.
export function writeScratchFile(dir, name, contents) {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, contents);
  return file;
}

// Waits until the page's document.body.dataset[key] counts at least `count` (sessions, views, ...).
export function waitForDatasetCount(page, key, count) {
  return page.waitForFunction(([k, n]) => Number(document.body.dataset[k] ?? 0) >= n, [key, count],
    { timeout: 60000 });
}
