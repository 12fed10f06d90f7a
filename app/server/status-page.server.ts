/**
 * The few pages the server layer answers itself, before Remix runs (a refused
 * cross-site post, a body too large): small, self-contained, readable, and
 * styled only with a nonce'd style block so the CSP holds.
 */
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

export function statusPage({
  title,
  message,
  requestId,
  nonce,
}: {
  title: string;
  message: string;
  requestId: string;
  nonce: string;
}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Todo</title>
<style nonce="${escapeHtml(nonce)}">
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
main{max-width:32rem;margin:4rem auto;padding:2rem;background:#fff;border-radius:12px;box-shadow:0 1px 3px #0002}
h1{font-size:1.5rem;margin-top:0}a{color:#1f55c4}small{color:#5a6270}
</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
<p><a href="/">Go to the home page</a></p>
<p><small>Reference: ${escapeHtml(requestId)}</small></p>
</main>
</body>
</html>`;
}
