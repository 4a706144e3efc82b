// The Lines page in real headless Chromium at a phone's width, against a real `hotline serve`:
//   the first coordinator opens Lines from the menu and sees the default line;
//   a ring time the hotline cannot use is refused beside its field, what she typed kept;
//   she sets the default line to ring everyone at once, open every night 20:00–08:00 (past
//   midnight) and closed on Nauryz, saves, and sees it so in the list;
//   she uploads a Kazakh welcome recorded as WAV (built here, byte by byte) and the page plays
//   it from /prompts/; a file that is not audio is refused beside its prompt;
//   she gives a number its own settings, then removes them.
// Every page is photographed into target/browser/ and checked for sideways scroll.
import assert from 'node:assert/strict';

import { chromium } from 'playwright-core';

import { CHROMIUM, PHONE, SHOTS, firstCoordinator, shot } from './pages.mjs';
import { startServer } from './server.mjs';

/// A tenth of a second of silence as a real WAV: PCM, 8 kHz, mono, 16-bit.
function wav() {
  const samples = 1600;
  const bytes = Buffer.alloc(44 + samples);
  bytes.write('RIFF', 0, 'ascii');
  bytes.writeUInt32LE(36 + samples, 4);
  bytes.write('WAVEfmt ', 8, 'ascii');
  bytes.writeUInt32LE(16, 16);
  bytes.writeUInt16LE(1, 20);
  bytes.writeUInt16LE(1, 22);
  bytes.writeUInt32LE(8000, 24);
  bytes.writeUInt32LE(16000, 28);
  bytes.writeUInt16LE(2, 32);
  bytes.writeUInt16LE(16, 34);
  bytes.write('data', 36, 'ascii');
  bytes.writeUInt32LE(samples, 40);
  return bytes;
}

const server = await startServer();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
try {
  const context = await browser.newContext(PHONE);
  const { page } = await firstCoordinator(server, context);

  // Lines, from the menu: the default line serves every number.
  await Promise.all([page.waitForURL(`${server.url}/lines`), page.click('nav a[href="/lines"]')]);
  assert.match(await page.content(), /href="\/lines\/default"/);
  await shot(page, 'lines');
  await Promise.all([page.waitForURL(`${server.url}/lines/default`), page.click('a[href="/lines/default"] >> nth=0')]);
  await shot(page, 'line-default');

  // A ring time the hotline cannot use is refused beside its field, what she typed kept.
  const form = page.locator('form.line');
  await form.locator('input[name=ring_seconds]').fill('300');
  await form.locator('button').click();
  assert.ok(await page.isVisible('#ring-seconds-problem'), 'refused beside its field');
  assert.equal(await form.locator('input[name=ring_seconds]').inputValue(), '300');
  await shot(page, 'line-refused');

  // Everyone at once, every night from 20:00 to 08:00, closed on Nauryz.
  await form.locator('input[name=ring_seconds]').fill('25');
  await form.locator('input[name=ring][value=simultaneous]').check();
  await form.locator('input[name=hours][value=windows]').check();
  for (let day = 0; day < 7; day += 1) {
    await form.locator(`input[name=w0-${day}]`).check();
  }
  await form.locator('input[name=w0-from]').fill('20:00');
  await form.locator('input[name=w0-to]').fill('08:00');
  await form.locator('textarea[name=holidays]').fill('2027-03-22');
  await form.locator('select[name=service-mens]').selectOption('');
  await Promise.all([page.waitForURL(`${server.url}/lines/default`), form.locator('button').click()]);
  assert.equal(await page.locator('input[name=w0-to]').inputValue(), '08:00', 'kept');
  await page.goto(`${server.url}/lines`);
  const listed = await page.locator('ul.lines').innerText();
  assert.match(listed, /20:00–08:00/, listed);
  assert.match(listed, /2027-03-22/, listed);
  assert.match(listed, /всем сразу/, listed);
  assert.doesNotMatch(listed, /мужчин/, 'the men\'s line is no longer offered');
  await shot(page, 'lines-saved');

  // A Kazakh welcome, recorded as WAV; the page plays it from /prompts/.
  await page.goto(`${server.url}/lines/default`);
  await page.locator('#recordings-kk summary').click();
  const welcome = page.locator('#prompt-kk-welcome');
  await welcome.locator('input[type=file]').setInputFiles({ name: 'сәлем.wav', mimeType: 'audio/wav', buffer: wav() });
  await Promise.all([page.waitForURL(`${server.url}/lines/default`), welcome.locator('form.upload button').click()]);
  await page.locator('#recordings-kk summary').click();
  const audio = await page.locator('#prompt-kk-welcome audio').getAttribute('src');
  assert.match(audio, /^\/prompts\/line-default-kk-welcome-[0-9a-f]{12}\.wav$/, audio);
  const served = await context.request.get(`${server.url}${audio}`);
  assert.equal(served.status(), 200);
  assert.deepEqual(Buffer.from(await served.body()), wav(), 'the very recording is served');
  await page.locator('#prompt-kk-welcome').scrollIntoViewIfNeeded();
  await shot(page, 'line-recording');

  // Not audio, whatever its name: refused beside its prompt.
  const hold = page.locator('#prompt-kk-hold');
  await hold.locator('input[type=file]').setInputFiles({ name: 'hold.wav', mimeType: 'audio/wav', buffer: Buffer.from('not a recording at all') });
  await hold.locator('form.upload button').click();
  assert.ok(await page.isVisible('#prompt-kk-hold #upload-problem'), 'refused beside its prompt');
  await shot(page, 'line-upload-refused');

  // A number of its own, then back to the default.
  await page.goto(`${server.url}/lines`);
  await page.fill('form.add-line input[name=number]', '+77010000001');
  await Promise.all([page.waitForURL(`${server.url}/lines/+77010000001`), page.click('form.add-line button')]);
  await shot(page, 'line-number');
  await Promise.all([page.waitForURL(`${server.url}/lines`), page.click('form[action$="/remove"] button.danger')]);
  assert.doesNotMatch(await page.content(), /href="\/lines\/\+77010000001"/);

  console.log(`lines: every step passed; screenshots in ${SHOTS}`);
} catch (error) {
  console.error(server.output());
  throw error;
} finally {
  await browser.close();
  await server.stop();
}
