// Clinician flow: sign in (demo picker), find a "nguyen" patient without
// diacritics, open the one-screen summary, switch to English, prescribe
// with the schedule preview and save.
'use strict';
const { BASE, shot, check, text, run } = require('./lib');

async function flow(page) {
  await page.goto(BASE + '/app');
  check(page.url().includes('/app/signin'), 'anonymous /app goes to sign-in, got ' + page.url());
  check((await page.locator('.banner').innerText()).includes('Không xác thực'), 'no-auth banner shown');
  await page.getByLabel('Bác sĩ', { exact: true }).check();
  await page.click('#signin');

  // The search box has focus: type straight away.
  check(await page.evaluate(() => document.activeElement.id) === 'q', 'search box focused on the start page');

  await page.fill('#q', 'nguyen');
  await page.keyboard.press('Enter');
  await page.waitForSelector('table.results');
  const names = await page.locator('table.results tbody td:first-child').allInnerTexts();
  check(names.length > 0, 'search found patients');
  check(names.every((n) => /nguy[eễ]n/i.test(n)), 'every result is a Nguyễn: ' + names.join(', '));
  await shot(page, 'clinician-1-search');

  // Open results until one is on medicines, so the summary shows the
  // adherence bars and trend charts.
  const links = await page.locator('table.results tbody a').evaluateAll((as) => as.map((a) => a.href));
  let found = false;
  for (const href of links.slice(0, 15)) {
    await page.goto(href);
    if (await page.locator('table.meds').count() > 0 && await page.locator('svg.chart').count() > 0) { found = true; break; }
  }
  check(found, 'a "nguyen" patient with medicines and charts');
  check(await page.locator('meter').count() > 0, 'PDC bar shown');
  // Keyboard: the first Tab lands on the skip link, which jumps to main.
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement.className) === 'skip', 'first Tab focuses the skip link');
  await page.keyboard.press('Enter');
  check(await page.evaluate(() => document.activeElement.id) === 'main', 'skip link moves focus to main');
  for (const h of ['Bệnh (ICD-10)', 'Dị ứng', 'Thuốc đang dùng và tuân thủ', 'Các lần khám', 'Nhóm chăm sóc']) {
    check(await page.getByRole('heading', { name: h }).count() === 1, 'summary section ' + h);
  }
  await shot(page, 'clinician-2-summary-vi');

  await page.click('#lang-switch');
  await page.waitForSelector('html[lang=en]');
  check(await page.getByRole('heading', { name: 'Current medicines and adherence' }).count() === 1, 'English summary');
  await shot(page, 'clinician-3-summary-en');

  await page.click('#prescribe');
  await page.waitForSelector('#rx-form');
  await page.fill('#medicine', 'Metformin 500 mg');
  await page.fill('#dose', '1');
  await page.selectOption('#perday', '2');
  await page.getByLabel('Morning').uncheck();
  await page.getByLabel('After breakfast').check();
  await page.getByLabel('After dinner').check();
  await page.fill('#days', '30');
  await page.click('#rx-preview-btn');
  await page.waitForSelector('#sentence-vi');
  const vi = await text(page, '#sentence-vi');
  const en = await text(page, '#sentence-en');
  check(/2 lần\/ngày/.test(vi) && /sau ăn sáng/.test(vi), 'Vietnamese schedule sentence: ' + vi);
  check(/twice a day/.test(en), 'English schedule sentence: ' + en);
  await shot(page, 'clinician-4-prescribe-preview');

  await page.click('#rx-save');
  await page.waitForURL(/\/app\/patients\/[^/]+\?saved=rx/);
  check((await page.locator('table.meds').innerText()).includes('Metformin 500 mg'), 'new prescription on the summary');
  await shot(page, 'clinician-5-saved');
}

run('clinician', flow);
