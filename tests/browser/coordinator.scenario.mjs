// The coordinator's pages in real headless Chromium (Debian's, never a downloaded one), at a
// phone's width, against a real `hotline serve` on an empty SQLite file:
//   the first coordinator signs in through the one-time link the server printed;
//   a lawyer is added on the Staff page and put on tonight's legal shift on the Rota page;
//   a call signed as Twilio signs it (`hotline simulate call`) rings her, she does not answer,
//   and the missed call is on the Now page, in the follow-ups and in the log with her number
//   masked, the coordinator reveals it by a form (audited), and the report page counts it;
//   a form posted without its CSRF token is refused and changes nothing;
//   a staff account cannot open another service's follow-up, nor a coordinator's page;
//   the coordinator marks the follow-up answered with a note;
//   the rota shows the lawyer's shift as a bar and the hours without her in red, week and month,
//   with the coordinator's forms, and the psychologist her own service's rota without them;
//   the coordinator makes a weekday rotation for the psychologist from its form.
// Every page is photographed into target/browser/ (kept by CI) and checked for sideways scroll.
import assert from 'node:assert/strict';

import { chromium } from 'playwright-core';

import { CHROMIUM, PHONE, SHOTS, api, apiToken, firstCoordinator, hotline, shot, signIn } from './pages.mjs';
import { startServer } from './server.mjs';

const LAWYER = '+77015550101';
const PSYCHOLOGIST = '+77015550102';
const CALLER = '+77075550112';

const server = await startServer();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
try {
  // The first coordinator, through the link only she was shown.
  const coordinator = await browser.newContext(PHONE);
  const { page, link } = await firstCoordinator(server, coordinator, (welcome) => shot(welcome, 'welcome'));
  await shot(page, 'now-empty');
  const used = await coordinator.request.get(link);
  assert.notEqual(used.status(), 200, 'the one-time link works once');

  // The coordinator adds a lawyer on the Staff page; a mistyped number is refused beside its field.
  const token = await apiToken(server);
  const now = Date.now();
  await page.goto(`${server.url}/staff/new`);
  await page.fill('input[name=name]', 'Айгерим Омарова');
  await page.fill('input[name=phone]', '8701555');
  await page.check('input[name=service-legal]');
  await page.check('input[name=language-kk]');
  await page.check('input[name=language-ru]');
  await page.selectOption('select[name=gender]', 'female');
  await page.click('form.staff button');
  assert.ok(await page.isVisible('#phone-problem'), 'a mistyped number is refused beside its field');
  await shot(page, 'staff-refused');
  await page.fill('input[name=phone]', LAWYER);
  await Promise.all([page.waitForURL(/\/staff\/\d+$/), page.click('form.staff button')]);
  await shot(page, 'staff-member');
  const lawyer = { id: Number(page.url().split('/').pop()) };
  await page.goto(`${server.url}/staff`);
  await shot(page, 'staff');
  // A psychologist, through the JSON API.
  const psychologist = await api(server, token, 'POST', '/api/v1/staff', {
    name: 'Дана Ким', phone: PSYCHOLOGIST, services: ['psychological'], languages: ['ru'], gender: 'female',
  });
  // On the Rota page, the coordinator puts her on duty from the last hour to ten hours on (local
  // time in Shymkent, UTC+5): tonight's legal shift.
  const local = (at) => new Date(at + 5 * 3600e3).toISOString();
  const [from, until] = [local(now - 3600e3), local(now + 10 * 3600e3)];
  await page.goto(`${server.url}/rota?service=legal`);
  const add = page.locator('form[action^="/rota/shifts?"]');
  await add.locator('select[name=staff_id]').selectOption(String(lawyer.id));
  await add.locator('select[name=service]').selectOption('legal');
  await add.locator('input[name=start_date]').fill(from.slice(0, 10));
  await add.locator('input[name=start_time]').fill(from.slice(11, 16));
  await add.locator('input[name=end_date]').fill(until.slice(0, 10));
  await add.locator('input[name=end_time]').fill(until.slice(11, 16));
  await Promise.all([page.waitForURL(/\/rota\?/), add.locator('button').click()]);
  assert.match(await page.content(), /Айгерим Омарова<\/span>/, 'her shift is on the rota');

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

  // The rota: her shift a bar with her name, the rest of the day a red gap; forms for the coordinator.
  await page.goto(`${server.url}/rota?service=legal`);
  await shot(page, 'rota-week');
  assert.match(await page.content(), /Айгерим Омарова<\/span>/);
  const red = await page.$eval('.bar.gap', (bar) => getComputedStyle(bar).backgroundColor);
  assert.equal(red, 'rgb(192, 57, 43)', 'a gap is drawn in red');
  assert.ok(await page.isVisible('form[action^="/rota/shifts"] input[name=start_date]'), 'the coordinator can add a shift');
  await page.goto(`${server.url}/rota?service=legal&view=month`);
  await shot(page, 'rota-month');
  assert.ok(await page.isVisible('.gap-mark'), 'days with gaps are marked');
  const staffRota = await staffPage.goto(`${server.url}/rota`);
  assert.equal(staffRota.status(), 200);
  await shot(staffPage, 'rota-staff');
  assert.equal(await staffPage.$('form[action^="/rota/"]'), null, 'staff see the rota read-only');

  // The donors' report counts the call.
  const month = new Date(now + 5 * 3600e3).toISOString().slice(0, 7);
  const report = await api(server, token, 'GET', `/api/v1/reports/monthly?month=${month}`);
  assert.equal(report.contacts.total, 1, JSON.stringify(report.contacts));

  // The log shows the call with her number masked; the coordinator reveals it once, by a form.
  await page.goto(`${server.url}/log`);
  await shot(page, 'log');
  const logged = await page.content();
  assert.ok(!logged.includes(CALLER.slice(4, 10)), 'the log masks her number');
  const listedCaller = await page.textContent('li .number');
  assert.equal(listedCaller, `+7 7•• ••• •• ${CALLER.slice(-2)}`, 'masked in groups, as the log shows it');
  await Promise.all([page.waitForURL(/\/reveal$/), page.click('form[action$="/reveal"] button')]);
  await shot(page, 'log-reveal');
  assert.ok(await page.isVisible(`a[href="tel:${CALLER}"]`), 'revealed to the coordinator');
  await page.goto(`${server.url}/log?kind=texts`);
  await shot(page, 'log-texts');
  await page.goto(`${server.url}/reports?month=${month}`);
  await shot(page, 'reports');
  assert.equal(await page.locator('.chart svg').count(), 5, 'the report draws its charts');
  const totals = await page.locator('tr', { has: page.locator('td.n') }).first().locator('td.n').allTextContents();
  assert.deepEqual(totals, ['1', '0', '1'], 'the report page counts the call');
  // Rotations: the psychologist takes weekday daytimes from next Monday, made from its form.
  await page.goto(`${server.url}/rota?service=psychological`);
  await Promise.all([page.waitForURL(/\/rota\/rotations\?/), page.click('a[href^="/rota/rotations?"]')]);
  const rotation = page.locator('form.rotation.new');
  await rotation.locator('input[name=name]').fill('Психологи, будни');
  await rotation.locator('select[name=member]').first().selectOption(String(psychologist.id));
  for (const day of ['mon', 'tue', 'wed', 'thu', 'fri']) {
    await rotation.locator(`input[name=w0_day][value=${day}]`).check();
  }
  await rotation.locator('input[name=w0_from]').fill('09:00');
  await rotation.locator('input[name=w0_to]').fill('18:00');
  await Promise.all([page.waitForURL(/\/rota\/rotations\?service=psychological$/), rotation.locator('button').click()]);
  await page.locator('section.rotation details summary').first().click();
  await shot(page, 'rotations');
  assert.match(await page.content(), /Дана Ким/, 'the rotation names her');
  assert.equal(await page.locator('section.rotation').count(), 1);
  console.log(`browser: every step passed; screenshots in ${SHOTS}`);
} catch (error) {
  console.error(`browser: failed; the server said:\n${server.output()}`);
  throw error;
} finally {
  await browser.close();
  await server.stop();
}
