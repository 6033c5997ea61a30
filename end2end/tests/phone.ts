// What "usable on a phone" means for a page, checked in the browser: nothing pushes the page
// sideways, every table cell is on the screen and not clipped by a scrolling box, no text in a
// cell breaks into a column of single characters (a cell squeezed to nothing), and no table row
// is taller than the screen.
import { expect, type Page } from "@playwright/test";

export const PHONE = { width: 390, height: 844 };

export async function expectFitsPhone(page: Page, path: string): Promise<void> {
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
  const problems = await page.evaluate(() => {
    const out: string[] = [];
    const vw = window.innerWidth;
    const vh = window.innerHeight;
    const overflow = document.documentElement.scrollWidth - vw;
    if (overflow > 0) out.push(`the page scrolls sideways by ${overflow}px`);
    const name = (el: Element) => {
      const row = el.closest("tr");
      const data = row ? [...row.attributes].find((a) => a.name.startsWith("data-")) : undefined;
      const key = data ? `${data.name}=${data.value}` : "";
      return `${el.closest("table")?.className || "table"} row ${key} cell "${(el.getAttribute("data-label") ?? el.textContent ?? "").trim().slice(0, 40)}"`;
    };
    for (const cell of document.querySelectorAll("main tbody td, main tbody th")) {
      const r = cell.getBoundingClientRect();
      if (r.width < 1 || r.height < 1) {
        out.push(`${name(cell)} is not shown`);
        continue;
      }
      if (r.left < -0.5 || r.right > vw + 0.5) out.push(`${name(cell)} lies off the screen (${Math.round(r.left)}–${Math.round(r.right)}px)`);
      for (let a = cell.parentElement; a && a !== document.body; a = a.parentElement) {
        const style = getComputedStyle(a);
        if (/(auto|scroll|hidden)/.test(style.overflowX)) {
          const box = a.getBoundingClientRect();
          if (r.left < box.left - 0.5 || r.right > box.right + 0.5) out.push(`${name(cell)} is cut off by its scrolling box`);
        }
      }
      // Text squeezed into a column: many lines of a few characters each.
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let t = walker.nextNode(); t; t = walker.nextNode()) {
        const text = (t.textContent ?? "").trim();
        if (text.length < 12) continue;
        const range = document.createRange();
        range.selectNodeContents(t);
        const lines = new Set([...range.getClientRects()].map((q) => Math.round(q.top))).size;
        if (lines > 1 && text.length / lines < 5) {
          out.push(`${name(cell)}: "${text.slice(0, 30)}…" wraps into ${lines} lines of ${(text.length / lines).toFixed(1)} characters`);
        }
      }
    }
    for (const row of document.querySelectorAll("main tbody tr")) {
      const h = row.getBoundingClientRect().height;
      if (h > vh) out.push(`${name(row)} is ${Math.round(h)}px tall, more than the screen`);
    }
    return out;
  });
  expect(problems, `${path} on a ${PHONE.width} px phone`).toEqual([]);
}
