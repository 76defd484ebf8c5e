// Patient flow on a 360 px phone: sign in (demo picker), see today's doses,
// confirm one with one tap, see it marked taken; open my medicines.
'use strict';
const { BASE, shot, check, run } = require('./lib');

async function flow(page) {
  await page.goto(BASE + '/me');
  check(page.url().includes('/me/signin'), 'anonymous /me goes to sign-in');
  await page.locator('form.pick button[value=patient]').first().click();
  await page.waitForSelector('h1');
  check(await page.locator('link[rel=manifest]').count() === 1, 'manifest linked');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 360, 'no horizontal scroll at 360 px, scrollWidth ' + width);
  await shot(page, 'patient-1-today');

  const take = page.locator('button.take');
  check(await take.count() > 0, 'there is a dose to confirm today');
  const before = await page.locator('li.dose.taken').count();
  await take.first().click();
  await page.waitForSelector('#confirmed');
  const after = await page.locator('li.dose.taken').count();
  check(after === before + 1, `one more dose taken (${before} -> ${after})`);
  await shot(page, 'patient-2-confirmed');

  await page.click('text=Thuốc của tôi >> nth=-1');
  await page.waitForSelector('.sentence');
  check(/Uống/.test(await page.locator('.sentence').first().innerText()), 'plain Vietnamese directions');
  await shot(page, 'patient-3-medicines');

  // The service worker registers for offline use.
  const sw = await page.evaluate(async () => {
    if (!('serviceWorker' in navigator)) return 'unsupported';
    const reg = await navigator.serviceWorker.getRegistration('/me');
    return reg ? 'registered' : 'none';
  });
  check(sw === 'registered' || sw === 'unsupported', 'service worker: ' + sw);
}
flow.viewport = { width: 360, height: 740 };

run('patient', flow);
