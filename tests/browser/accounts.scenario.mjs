// The coordinator's users and a user's own account, in a phone-sized Chromium, as a story:
//   the first coordinator adds a lawyer as a staff user on the Users page and is shown, once, a
//   link to pass on; the lawyer opens it in her own browser, chooses her password and signs in;
//   the coordinator deactivates her, and her next page load goes to sign-in, where her password
//   no longer works; the coordinator changes her own password on My account, and only the new
//   one signs her in.
// Every page is photographed into target/browser/ (kept by CI) and checked for sideways scroll.
import assert from 'node:assert/strict';

import { chromium } from 'playwright-core';

import { CHROMIUM, PHONE, SHOTS, api, apiToken, firstCoordinator, shot, signIn } from './pages.mjs';
import { startServer } from './server.mjs';

const FIRST_PASSWORD = 'верный-пароль-123';
const HER_PASSWORD = 'степной ветер 2026';
const NEW_PASSWORD = 'новый-пароль-456';

const server = await startServer();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
try {
  const coordinator = await browser.newContext(PHONE);
  const { page } = await firstCoordinator(server, coordinator);
  const token = await apiToken(server);
  const lawyer = await api(server, token, 'POST', '/api/v1/staff', {
    name: 'Айгерим Омарова', phone: '+77015550101', services: ['legal'], languages: ['kk', 'ru'], gender: 'female',
  });

  // The coordinator adds her as a staff user, linked to her staff entry.
  await page.goto(`${server.url}/users`);
  await shot(page, 'users');
  await page.fill('form[action="/users"] input[name=name]', 'Айгерим');
  await page.fill('form[action="/users"] input[name=login]', 'aigerim');
  await page.selectOption('form[action="/users"] select[name=role]', 'staff');
  await page.selectOption('form[action="/users"] select[name=staff_id]', String(lawyer.id));
  await Promise.all([page.waitForLoadState('load'), page.click('form[action="/users"] button')]);
  const link = (await page.textContent('#password-link')).trim();
  assert.match(link, /\/set-password\/[0-9a-f]{64}$/, 'a one-time link to pass on');
  await shot(page, 'users-link');
  await page.goto(`${server.url}/users`);
  assert.ok(!(await page.content()).includes(link), 'the link is shown once');

  // In her own browser she chooses her password with the link, then signs in.
  const hers = await browser.newContext(PHONE);
  const her = await hers.newPage();
  await her.goto(link);
  await shot(her, 'set-password');
  await her.fill('input[name=password]', HER_PASSWORD);
  await her.fill('input[name=repeat]', HER_PASSWORD);
  await Promise.all([her.waitForURL(`${server.url}/sign-in`), her.click('form button')]);
  await signIn(her, server, 'aigerim', HER_PASSWORD);
  await shot(her, 'staff-signed-in');
  const again = await hers.request.get(link);
  assert.equal(again.status(), 410, 'the link works once');

  // The coordinator opens her entry and deactivates her.
  await page.goto(`${server.url}/users`);
  const entry = await page.locator('li a', { hasText: 'Айгерим' }).getAttribute('href');
  await page.goto(`${server.url}${entry}`);
  await shot(page, 'user');
  await Promise.all([page.waitForURL(`${server.url}${entry}`), page.click('form[action$="/active"] button')]);
  await shot(page, 'user-deactivated');
  assert.equal(await page.locator('form[action$="/active"] input[value=true]').count(), 1, 'offered to reactivate');

  // Her next page load goes to sign-in, and her password no longer opens anything.
  await her.goto(`${server.url}/follow-ups`);
  assert.equal(her.url(), `${server.url}/sign-in`, 'her session ended at once');
  await her.fill('input[name=login]', 'aigerim');
  await her.fill('input[name=password]', HER_PASSWORD);
  await Promise.all([her.waitForLoadState('load'), her.click('form button')]);
  assert.ok((await her.content()).includes('Неверный логин или пароль.'), 'a deactivated user cannot sign in');
  await shot(her, 'deactivated-sign-in');

  // The coordinator changes her own password on My account.
  await page.click('header a[href="/account"]');
  await page.waitForURL(`${server.url}/account`);
  await shot(page, 'account');
  await page.fill('input[name=current]', FIRST_PASSWORD);
  await page.fill('input[name=password]', NEW_PASSWORD);
  await page.fill('input[name=repeat]', NEW_PASSWORD);
  await Promise.all([
    page.waitForURL(`${server.url}/account?changed=1`),
    page.click('form[action="/account/password"] button'),
  ]);
  await shot(page, 'account-changed');
  const elsewhere = await browser.newContext(PHONE);
  const other = await elsewhere.newPage();
  await other.goto(`${server.url}/sign-in`);
  await other.fill('input[name=login]', 'gulnara');
  await other.fill('input[name=password]', FIRST_PASSWORD);
  await Promise.all([other.waitForLoadState('load'), other.click('form button')]);
  assert.equal(other.url(), `${server.url}/sign-in`, 'the old password no longer works');
  await signIn(other, server, 'gulnara', NEW_PASSWORD);
  console.log(`browser: every step passed; screenshots in ${SHOTS}`);
} catch (error) {
  console.error(`browser: failed; the server said:\n${server.output()}`);
  throw error;
} finally {
  await browser.close();
  await server.stop();
}
