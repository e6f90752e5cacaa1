/** Minimal HTML helpers for the simulator's human-facing pages (sign-in, redeem, index). */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string);
}

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: "Segoe UI", system-ui, sans-serif; margin: 2rem auto; max-width: 44rem; padding: 0 1rem; color: #242424; }
  h1 { font-size: 1.4rem; font-weight: 600; }
  h2 { font-size: 1.05rem; margin-top: 1.5rem; }
  form.account { margin: 0.4rem 0; }
  button { font: inherit; width: 100%; text-align: left; padding: 0.6rem 0.8rem; border: 1px solid #d1d1d1; border-radius: 4px; background: #fff; cursor: pointer; }
  button:hover, button:focus { border-color: #0f6cbd; outline: 2px solid #0f6cbd33; }
  .muted { color: #616161; font-size: 0.9rem; }
  .badge { font-size: 0.75rem; padding: 0.1rem 0.4rem; border-radius: 3px; background: #f0f0f0; margin-left: 0.4rem; }
  code { background: #f5f5f5; padding: 0 0.2rem; }
</style>
</head>
<body>
${body}
</body>
</html>`;
}
