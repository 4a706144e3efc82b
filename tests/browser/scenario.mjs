// The coordinator's pages in real headless Chromium (Debian's, never a downloaded one), at a
// phone's width, against a real `hotline serve` on an empty SQLite file:
//   the first coordinator signs in through the one-time link the server printed;
//   a lawyer is put on tonight's legal shift; a call signed as Twilio signs it (`hotline
//   simulate call`) rings her, she does not answer, and the missed call is on the Now page and
//   in the follow-ups with her number masked; the monthly report counts it;
//   a form posted without its CSRF token is refused and changes nothing;
//   a staff account cannot open another service's follow-up, nor a coordinator's page;
//   the coordinator marks the follow-up answered with a note.
// Every page is photographed into target/browser/ (kept by CI) and checked for sideways scroll.
import assert from 'node:assert/strict';
import { execFile as execFileCallback } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import { chromium } from 'playwright-core';

import { binary, root, startServer } from './server.mjs';

const execFile = promisify(execFileCallback);
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = path.join(root, 'target/browser');
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const LAWYER = '+77015550101';
const PSYCHOLOGIST = '+77015550102';
const CALLER = '+77075550112';

mkdirSync(SHOTS, { recursive: true });

/// Photographs the page and checks that it needs no sideways scrolling on a phone.
async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  const [scrollWidth, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scrollWidth <= width, `${name} scrolls sideways at phone width: ${scrollWidth} > ${width}`);
}

async function hotline(server, args, input) {
  const run = execFile(binary, args, { cwd: server.folder, env: server.env });
  if (input !== undefined) {
    run.child.stdin.end(input);
  }
  const { stdout } = await run;
  return stdout;
}

async function api(server, token, method, route, body) {
  const answer = await fetch(`${server.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await answer.text();
  assert.ok(answer.ok, `${method} ${route}: ${answer.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function waitFor(what, check) {
  for (let tries = 0; tries < 100; tries += 1) {
    const found = check();
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`never saw ${what}`);
}

async function signIn(page, server, login, password) {
  await page.goto(`${server.url}/sign-in`);
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL(`${server.url}/`), page.click('form button')]);
}

const server = await startServer();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
try {
  // The first coordinator, through the link only she was shown.
  const link = await waitFor('the one-time sign-in link', () => server.output().match(/(https?:\/\/\S+\/welcome\/\S+)/)?.[1]);
  const coordinator = await browser.newContext(PHONE);
  const page = await coordinator.newPage();
  await page.goto(link);
  await shot(page, 'welcome');
  await page.fill('input[name=name]', 'Гульнара');
  await page.fill('input[name=login]', 'gulnara');
  await page.fill('input[name=password]', 'верный-пароль-123');
  await Promise.all([page.waitForURL(`${server.url}/`), page.click('form button')]);
  await shot(page, 'now-empty');
  const used = await coordinator.request.get(link);
  assert.notEqual(used.status(), 200, 'the one-time link works once');

  // A lawyer on tonight's legal shift and a psychologist, through the JSON API.
  const token = (await hotline(server, ['token', 'create', '--name', 'browser-test'])).trim().split('\n').pop();
  const now = Date.now();
  const lawyer = await api(server, token, 'POST', '/api/v1/staff', {
    name: 'Айгерим Омарова', phone: LAWYER, services: ['legal'], languages: ['kk', 'ru'], gender: 'female',
  });
  const psychologist = await api(server, token, 'POST', '/api/v1/staff', {
    name: 'Дана Ким', phone: PSYCHOLOGIST, services: ['psychological'], languages: ['ru'], gender: 'female',
  });
  await api(server, token, 'POST', '/api/v1/shifts', {
    staff_id: lawyer.id, service: 'legal',
    starts_at: new Date(now - 3600e3).toISOString(), ends_at: new Date(now + 10 * 3600e3).toISOString(),
  });

  // She calls, chooses Russian and legal help; the lawyer's phone rings and nobody answers.
  const transcript = await hotline(server, [
    'simulate', 'call', '--url', server.url, '--from', CALLER, '--digits', '2', '1', '--phone', `${LAWYER}=no-answer`,
  ]);
  assert.match(transcript, new RegExp(LAWYER.replace('+', '\\+')), `the lawyer was rung:\n${transcript}`);

  await page.goto(`${server.url}/`);
  await shot(page, 'now');
  await page.goto(`${server.url}/follow-ups`);
  await shot(page, 'follow-ups');
  const listed = await page.content();
  assert.ok(!listed.includes(CALLER) && !listed.includes(CALLER.slice(1)), 'her number is never shown whole');
  await page.click('a[href^="/follow-ups/"]');
  await shot(page, 'follow-up');
  const followUpUrl = page.url();
  const shown = await page.textContent('.number');
  assert.match(shown, /•/, `her number is masked: ${shown}`);
  assert.ok(!shown.includes(CALLER.slice(4, 10)), `her number is masked: ${shown}`);

  // A forged form, without the page's token, changes nothing.
  const forged = await coordinator.request.post(`${followUpUrl}/answered`, { form: { note: 'подделка' } });
  assert.equal(forged.status(), 403, 'a form without its CSRF token is refused');
  await page.reload();
  assert.ok(await page.isVisible('form textarea[name=note]'), 'still open after the forged form');

  // The psychologist signs in: another service's follow-up is not hers to see.
  await hotline(server, ['user', 'add', '--login', 'dana', '--role', 'staff', '--staff-id', String(psychologist.id)], 'пароль-дана-123\n');
  const staff = await browser.newContext(PHONE);
  const staffPage = await staff.newPage();
  await signIn(staffPage, server, 'dana', 'пароль-дана-123');
  await shot(staffPage, 'now-staff');
  const theirs = await staffPage.goto(followUpUrl);
  assert.equal(theirs.status(), 404, 'a staff member cannot open another service’s follow-up');
  const coordinatorsOnly = await staffPage.goto(`${server.url}/users`);
  assert.equal(coordinatorsOnly.status(), 403, 'nor the coordinator’s pages');

  // The coordinator marks it answered, with a note.
  await page.fill('form textarea[name=note]', 'Перезвонили, консультация назначена');
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/answered') && r.request().method() === 'POST'),
    page.click('form[action$="/answered"] button'),
  ]);
  await page.goto(followUpUrl);
  await shot(page, 'follow-up-answered');
  assert.ok(!(await page.isVisible('form textarea[name=note]')), 'answered: the form is gone');
  assert.match(await page.content(), /Перезвонили, консультация назначена/);

  // The donors' report counts the call.
  const month = new Date(now + 5 * 3600e3).toISOString().slice(0, 7);
  const report = await api(server, token, 'GET', `/api/v1/reports/monthly?month=${month}`);
  assert.equal(report.contacts.total, 1, JSON.stringify(report.contacts));

  // The log shows the call with her number masked; the coordinator reveals it once, by a form.
  await page.goto(`${server.url}/log`);
  await shot(page, 'log');
  const logged = await page.content();
  assert.ok(!logged.includes(CALLER.slice(4, 10)), 'the log masks her number');
  await Promise.all([page.waitForURL(/\/reveal$/), page.click('form[action$="/reveal"] button')]);
  await shot(page, 'log-reveal');
  assert.ok(await page.isVisible(`a[href="tel:${CALLER}"]`), 'revealed to the coordinator');
  await page.goto(`${server.url}/log?kind=texts`);
  await shot(page, 'log-texts');
  await page.goto(`${server.url}/reports?month=${month}`);
  await shot(page, 'reports');
  assert.equal(await page.locator('.chart svg').count(), 5, 'the report draws its charts');
  console.log(`browser: every step passed; screenshots in ${SHOTS}`);
} catch (error) {
  console.error(`browser: failed; the server said:\n${server.output()}`);
  throw error;
} finally {
  await browser.close();
  await server.stop();
}
