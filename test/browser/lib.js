// Shared helpers of the browser flows: launch Debian's Chromium through
// playwright-core, screenshots under out/, and small assertions.
'use strict';
const { chromium } = require('playwright-core');
const fs = require('fs');
const path = require('path');

const BASE = process.env.SEN_URL;
const OUT = process.env.SEN_OUT || path.join(__dirname, 'out');
const CHROMIUM = process.env.SEN_CHROMIUM || '/usr/bin/chromium';
const AXE = require.resolve('axe-core/axe.min.js');

async function launch() {
  if (!BASE) throw new Error('SEN_URL is not set');
  fs.mkdirSync(OUT, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(OUT, name + '.png'), fullPage: true });
}

function check(cond, msg) {
  if (!cond) throw new Error('check failed: ' + msg);
}

async function text(page, sel) {
  return (await page.locator(sel).first().innerText()).trim();
}

// axe runs axe-core on the page and fails on any serious or critical
// violation (WCAG 2.1 A/AA rules and best practices).
async function axe(page, label) {
  await page.addScriptTag({ path: AXE });
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  check(bad.length === 0, label + ' accessibility: ' + bad.map((v) => v.id + ' [' + v.impact + '] ' +
    v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')).join('; '));
}

// run executes a flow and exits non-zero with a screenshot on failure.
function run(name, flow) {
  (async () => {
    const browser = await launch();
    // bypassCSP lets axe-core be injected; the apps' own pages run under
    // their Content-Security-Policy as usual.
    const page = await browser.newPage({ locale: 'vi-VN', bypassCSP: true, ...(flow.viewport ? { viewport: flow.viewport } : {}) });
    page.setDefaultTimeout(15000);
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    try {
      await flow(page);
      check(errors.length === 0, 'page errors: ' + errors.join('; '));
      console.log(name + ': ok');
    } catch (e) {
      await shot(page, name + '-failure').catch(() => {});
      console.error(name + ': ' + (e && e.stack || e));
      process.exitCode = 1;
    } finally {
      await browser.close();
    }
  })();
}

module.exports = { BASE, launch, shot, check, text, axe, run };
