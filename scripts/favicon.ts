/**
 * Writes public/favicon.ico from public/favicon.svg: browsers ask for /favicon.ico whatever the
 * page links. Chromium draws the SVG at each size; the ICO holds those PNGs (an ICO may carry PNG
 * images since Windows Vista, and every current browser reads them).
 *
 *   npx tsx scripts/favicon.ts
 */
import { readFile, writeFile } from "node:fs/promises";
import { chromium } from "@playwright/test";

const SIZES = [16, 32, 48];

const svg = await readFile("public/favicon.svg", "utf8");
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" });
const images: Array<{ size: number; png: Buffer }> = [];
try {
  for (const size of SIZES) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    await page.setContent(
      `<style>html,body{margin:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style>${svg}`,
    );
    images.push({ size, png: await page.screenshot({ omitBackground: true, type: "png" }) });
    await page.close();
  }
} finally {
  await browser.close();
}

/** ICONDIR (6 bytes), one ICONDIRENTRY (16 bytes) per image, then the images. */
const header = Buffer.alloc(6 + 16 * images.length);
header.writeUInt16LE(0, 0); // reserved
header.writeUInt16LE(1, 2); // type: icon
header.writeUInt16LE(images.length, 4);
let offset = header.length;
images.forEach(({ size, png }, index) => {
  const entry = 6 + 16 * index;
  header.writeUInt8(size % 256, entry); // width (0 means 256)
  header.writeUInt8(size % 256, entry + 1); // height
  header.writeUInt8(0, entry + 2); // no palette
  header.writeUInt8(0, entry + 3); // reserved
  header.writeUInt16LE(1, entry + 4); // colour planes
  header.writeUInt16LE(32, entry + 6); // bits per pixel
  header.writeUInt32LE(png.length, entry + 8);
  header.writeUInt32LE(offset, entry + 12);
  offset += png.length;
});
await writeFile("public/favicon.ico", Buffer.concat([header, ...images.map(({ png }) => png)]));
console.log(`public/favicon.ico: ${SIZES.join(", ")} px, ${offset} bytes`);
