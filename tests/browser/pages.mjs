// What every browser scenario shares: Debian's Chromium at a phone's width, screenshots into
// target/browser/ (kept by CI) with a check for sideways scrolling, the `hotline` binary's
// commands, the JSON API, and signing in — the first coordinator by the link the server printed.
import assert from 'node:assert/strict';
import { execFile as execFileCallback } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import { binary, root } from './server.mjs';

const execFile = promisify(execFileCallback);
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const SHOTS = path.join(root, 'target/browser');
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

mkdirSync(SHOTS, { recursive: true });

/// Photographs the page and checks that it needs no sideways scrolling on a phone.
export async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  const [scrollWidth, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scrollWidth <= width, `${name} scrolls sideways at phone width: ${scrollWidth} > ${width}`);
}

/// Runs `hotline ARGS…` in the server's folder, with its settings; `input` goes to stdin.
export async function hotline(server, args, input) {
  const run = execFile(binary, args, { cwd: server.folder, env: server.env });
  if (input !== undefined) {
    run.child.stdin.end(input);
  }
  const { stdout } = await run;
  return stdout;
}

/// A fresh API token for the server.
export async function apiToken(server) {
  return (await hotline(server, ['token', 'create', '--name', 'browser-test'])).trim().split('\n').pop();
}

export async function api(server, token, method, route, body) {
  const answer = await fetch(`${server.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await answer.text();
  assert.ok(answer.ok, `${method} ${route}: ${answer.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

export async function waitFor(what, check) {
  for (let tries = 0; tries < 100; tries += 1) {
    const found = check();
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`never saw ${what}`);
}

export async function signIn(page, server, login, password) {
  await page.goto(`${server.url}/sign-in`);
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL(`${server.url}/`), page.click('form button')]);
}

/// The first coordinator of an empty server, through the one-time link only she was shown;
/// answers her signed-in page. `before` is called on the welcome page before it is filled in.
export async function firstCoordinator(server, context, before = async () => {}) {
  const link = await waitFor('the one-time sign-in link', () => server.output().match(/(https?:\/\/\S+\/welcome\/\S+)/)?.[1]);
  const page = await context.newPage();
  await page.goto(link);
  await before(page);
  await page.fill('input[name=name]', 'Гульнара');
  await page.fill('input[name=login]', 'gulnara');
  await page.fill('input[name=password]', 'верный-пароль-123');
  await Promise.all([page.waitForURL(`${server.url}/`), page.click('form button')]);
  return { page, link };
}
