/** A colour as getComputedStyle gives it: red, green and blue 0–255, alpha 0–1. */
export interface Colour {
  red: number;
  green: number;
  blue: number;
  alpha: number;
}

/** Parses `rgb(r, g, b)` or `rgba(r, g, b, a)` (what Chromium's getComputedStyle answers for colours). */
export function parseColour(css: string): Colour {
  const match = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+))?\s*\)$/.exec(
    css.trim(),
  );
  if (!match) throw new Error(`not an rgb() colour: ${css}`);
  const [, red = "0", green = "0", blue = "0", alpha = "1"] = match;
  return { red: Number(red), green: Number(green), blue: Number(blue), alpha: Number(alpha) };
}

/** WCAG 2 relative luminance (https://www.w3.org/TR/WCAG22/#dfn-relative-luminance). */
function luminance({ red, green, blue }: Colour): number {
  const linear = (channel: number) => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue);
}

/** WCAG 2 contrast ratio, 1 to 21, of a colour (blended over the background if translucent) against an opaque background. */
export function contrastRatio(colour: Colour, background: Colour): number {
  const over = (channel: "red" | "green" | "blue") =>
    colour[channel] * colour.alpha + background[channel] * (1 - colour.alpha);
  const seen = { red: over("red"), green: over("green"), blue: over("blue"), alpha: 1 };
  const [lighter, darker] = [luminance(seen), luminance(background)].sort((a, b) => b - a);
  return ((lighter ?? 0) + 0.05) / ((darker ?? 0) + 0.05);
}
