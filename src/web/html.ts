/** Minimal HTML helpers for the portal and the PSC stand-in (no template engine needed). */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b35}
header{border-bottom:3px solid #000091;margin-bottom:1rem}
.banner{background:#fff4e5;border:1px solid #e6a23c;padding:.5rem 1rem;margin-bottom:1rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}
button{background:#000091;color:#fff;border:0;padding:.4rem .8rem;cursor:pointer}
button.secondary{background:#666}
code{font-size:.9em}
</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1></header>
${body}
</body>
</html>`;
}
