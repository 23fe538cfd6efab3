// Drives headless Chromium through a player page and prints one JSON line:
// {"samples":[{"time":..,"latency":..},...],"errors":[...]}.
// Usage: node play.mjs PAGE_URL SECONDS USER_DATA_DIR
import { chromium } from "playwright-core";

const [pageURL, seconds, userDataDir] = process.argv.slice(2);
const ctx = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--autoplay-policy=no-user-gesture-required"],
});
const out = { samples: [], errors: [], console: [] };
try {
  const page = ctx.pages()[0] || await ctx.newPage();
  page.on("pageerror", (e) => out.errors.push("page: " + e.message));
  page.on("console", (m) => { if (m.type() === "error" && out.console.length < 10) out.console.push(m.text()); });
  await page.goto(pageURL, { timeout: 15000 });
  for (let i = 0; i < Number(seconds); i++) {
    await page.waitForTimeout(1000);
    const s = await page.evaluate(() => window.probe());
    out.samples.push({ time: s.time, latency: s.latency, paused: s.paused });
    out.log = s.log;
    out.errors = s.errors.concat(out.errors.filter((e) => e.startsWith("page:")));
  }
} finally {
  await ctx.close();
}
console.log(JSON.stringify(out));
