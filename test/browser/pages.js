// Every main page, in Vietnamese and English, at 360 px (phone) and 1280 px
// (desktop): axe-core finds no serious or critical accessibility
// violation, nothing scrolls sideways, and a screenshot of each lands in
// out/ for people to look at. Also the population dashboard inside the
// clinician app.
'use strict';
const { BASE, shot, check, axe, run } = require('./lib');

const WIDTHS = [360, 1280];

async function setLang(page, lang) {
  await page.goto(BASE + '/lang?set=' + lang + '&back=/');
}

async function visit(page, name, url, lang) {
  for (const w of WIDTHS) {
    await page.setViewportSize({ width: w, height: w === 360 ? 740 : 900 });
    await page.goto(url);
    check(await page.evaluate(() => document.documentElement.lang) === lang, name + ' is in ' + lang);
    const sw = await page.evaluate(() => document.documentElement.scrollWidth);
    check(sw <= w, `${name} ${lang} scrolls sideways at ${w} px (scrollWidth ${sw})`);
    await axe(page, `${name} ${lang} ${w}px`);
    await shot(page, `page-${name}-${lang}-${w}`);
  }
}

async function flow(page) {
  // Clinician: the demo picker's doctor.
  await page.goto(BASE + '/app/signin');
  await page.getByLabel('Bác sĩ', { exact: true }).check();
  await page.click('#signin');
  await page.waitForURL(/\/app$/);
  await page.goto(BASE + '/app/patients?q=nguyen');
  const summary = await page.locator('table.results tbody a').first().getAttribute('href');
  check(!!summary, 'a patient to open');

  for (const lang of ['vi', 'en']) {
    await setLang(page, lang);
    await visit(page, 'find', BASE + '/app', lang);
    await visit(page, 'results', BASE + '/app/patients?q=nguyen', lang);
    await visit(page, 'summary', BASE + summary, lang);
    await visit(page, 'prescribe', BASE + summary + '/prescribe', lang);
    await visit(page, 'record', BASE + summary + '/record', lang);
    await visit(page, 'worklists', BASE + '/app/worklists', lang);
    await visit(page, 'population', BASE + '/app/population?registry=hypertension&by=province', lang);
  }

  // The population dashboard from the navigation link, then another view.
  await page.goto(BASE + '/app');
  await page.click('#nav-population');
  await page.waitForURL(/\/app\/population/);
  check(await page.locator('main table').count() === 1, 'dashboard table');
  // The bar chart, and the 12-month trend where disclosure control releases it.
  check(await page.locator('main svg[role=img]').count() >= 1, 'dashboard chart');
  await page.selectOption('main select[name=by]', 'sex');
  await page.click('main form button');
  await page.waitForURL(/by=sex/);
  check(/Sex|Giới/.test(await page.locator('main').innerText()), 'dashboard by sex');

  // Patient app: today, in both languages.
  await page.context().clearCookies();
  await page.goto(BASE + '/me/signin');
  await page.locator('form.pick button[value=patient]').first().click();
  await page.waitForSelector('h1');
  for (const lang of ['vi', 'en']) {
    await setLang(page, lang);
    await visit(page, 'me-today', BASE + '/me', lang);
    await visit(page, 'me-medicines', BASE + '/me/medicines', lang);
    await visit(page, 'me-results', BASE + '/me/results', lang);
  }
}

run('pages', flow);
