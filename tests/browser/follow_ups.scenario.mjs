// Follow-ups that belong to a person, in real headless Chromium at a phone's width, against a
// real `hotline serve` on an empty SQLite file:
//   the first coordinator signs in; two lawyers are added through the JSON API, each with her
//   own account (`hotline user add`, the password on standard input), the first on tonight's
//   legal shift;
//   a call signed as Twilio signs it (`hotline simulate call`) rings her and nobody answers;
//   while the follow-up is nobody's, the second lawyer sees it and could take it;
//   the coordinator assigns it to the first lawyer with the select on its page;
//   the second lawyer now gets "not found" for it — a staff account cannot open another staff
//   member's follow-up — and it is gone from her queue;
//   the first lawyer finds it under "mine" and marks it answered with a note.
// Every page is photographed into target/browser/ and checked for sideways scroll.
import assert from 'node:assert/strict';

import { chromium } from 'playwright-core';

import { CHROMIUM, PHONE, SHOTS, api, apiToken, firstCoordinator, hotline, shot, signIn } from './pages.mjs';
import { startServer } from './server.mjs';

const AIGERIM = '+77015550201';
const SAULE = '+77015550202';
const CALLER = '+77075550212';

const server = await startServer();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
try {
  const coordinator = await browser.newContext(PHONE);
  const { page } = await firstCoordinator(server, coordinator);

  // Two lawyers, through the JSON API, each with her own account; Aigerim on duty tonight.
  const token = await apiToken(server);
  const lawyer = (name, phone) => api(server, token, 'POST', '/api/v1/staff', {
    name, phone, services: ['legal'], languages: ['kk', 'ru'], gender: 'female',
  });
  const aigerim = await lawyer('Айгерим Омарова', AIGERIM);
  const saule = await lawyer('Сауле Ким', SAULE);
  const now = Date.now();
  await api(server, token, 'POST', '/api/v1/shifts', {
    staff_id: aigerim.id, service: 'legal', position: 0,
    starts_at: new Date(now - 3600e3).toISOString(), ends_at: new Date(now + 10 * 3600e3).toISOString(),
  });
  await hotline(server, ['user', 'add', '--login', 'aigerim', '--role', 'staff', '--staff-id', String(aigerim.id)], 'пароль-айгерим-123\n');
  await hotline(server, ['user', 'add', '--login', 'saule', '--role', 'staff', '--staff-id', String(saule.id)], 'пароль-сауле-123\n');

  // She calls, chooses Russian and legal help; Aigerim's phone rings and nobody answers.
  const transcript = await hotline(server, [
    'simulate', 'call', '--url', server.url, '--from', CALLER, '--digits', '2', '1', '--phone', `${AIGERIM}=no-answer`,
  ]);
  assert.match(transcript, new RegExp(AIGERIM.replace('+', '\\+')), `Aigerim was rung:\n${transcript}`);

  // Nobody's yet: Saule, a lawyer too, sees it and could take it.
  const second = await browser.newContext(PHONE);
  const saulePage = await second.newPage();
  await signIn(saulePage, server, 'saule', 'пароль-сауле-123');
  await saulePage.goto(`${server.url}/follow-ups?show=unassigned`);
  await shot(saulePage, 'follow-ups-unassigned-staff');
  await saulePage.click('a[href^="/follow-ups/"]');
  const followUpUrl = saulePage.url();
  assert.match(followUpUrl, /\/follow-ups\/\d+$/);
  assert.ok(await saulePage.isVisible('form.take button'), 'nobody’s: she could take it');
  await shot(saulePage, 'follow-up-unassigned-staff');

  // The coordinator gives it to Aigerim with the select on its page.
  await page.goto(`${server.url}/follow-ups`);
  await shot(page, 'follow-ups-coordinator');
  await page.goto(followUpUrl);
  assert.ok(!(await page.isVisible('form.take')), 'a coordinator assigns, she does not take');
  await page.locator('form.assign select[name=staff_id]').selectOption(String(aigerim.id));
  await Promise.all([page.waitForURL(followUpUrl), page.click('form.assign button')]);
  await shot(page, 'follow-up-assigned');
  assert.match(await page.textContent('dd.assignee'), /Айгерим Омарова/);
  await page.goto(`${server.url}/follow-ups`);
  assert.match(await page.textContent('.list li .assignee'), /Айгерим Омарова/, 'the queue shows whose it is');
  await shot(page, 'follow-ups-assigned');

  // A staff account cannot open another staff member's follow-up: "not found", as if it never was.
  const theirs = await saulePage.goto(followUpUrl);
  assert.equal(theirs.status(), 404, 'Saule cannot open Aigerim’s follow-up');
  await shot(saulePage, 'follow-up-not-hers');
  const missing = await second.request.get(`${server.url}/follow-ups/999999`);
  assert.equal(missing.status(), 404);
  await saulePage.goto(`${server.url}/follow-ups`);
  assert.equal(await saulePage.locator('a[href^="/follow-ups/"]').count(), 0, 'nor is it in her queue');
  await shot(saulePage, 'follow-ups-staff-empty');

  // Aigerim finds it under "mine" and marks it answered, with a note.
  const first = await browser.newContext(PHONE);
  const aigerimPage = await first.newPage();
  await signIn(aigerimPage, server, 'aigerim', 'пароль-айгерим-123');
  await aigerimPage.goto(`${server.url}/follow-ups?show=mine`);
  await shot(aigerimPage, 'follow-ups-mine');
  await aigerimPage.click('a[href^="/follow-ups/"]');
  assert.equal(aigerimPage.url(), followUpUrl);
  await aigerimPage.fill('form textarea[name=note]', 'Перезвонила, консультация в пятницу');
  await Promise.all([aigerimPage.waitForURL(followUpUrl), aigerimPage.click('form[action$="/answered"] button')]);
  await shot(aigerimPage, 'follow-up-answered-by-assignee');
  assert.ok(!(await aigerimPage.isVisible('form textarea[name=note]')), 'answered: the form is gone');
  assert.match(await aigerimPage.content(), /Перезвонила, консультация в пятницу/);
  assert.match(await aigerimPage.content(), /Айгерим Омарова/);
  console.log(`browser: every step passed; screenshots in ${SHOTS}`);
} catch (error) {
  console.error(`browser: failed; the server said:\n${server.output()}`);
  throw error;
} finally {
  await browser.close();
  await server.stop();
}
