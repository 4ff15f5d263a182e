import type { ProfessionalContext } from '../../kernel/professional.js';
import { escapeHtml as e } from '../html.js';

export const SERVICE_NAME = 'Synthèses médicales européennes';

/** Who is logged in, shown in the header of every page after login, and the logout form's CSRF token. */
export interface Banner {
  professional: ProfessionalContext;
  csrf: string;
}

/** "CYRIL TOUBIB · ID 899700209937 · CABINET DU DR CYRIL", as the Sesali user guide shows the professional. */
export function bannerText(p: ProfessionalContext): string {
  const name = [p.givenName, p.familyName].filter(Boolean).join(' ') || p.displayName;
  return `${name.toUpperCase()} · ID ${p.nationalId} · ${p.practice.organisationName}`;
}

export function hiddenCsrf(token: string): string {
  return `<input type="hidden" name="_csrf" value="${e(token)}">`;
}

function header(banner: Banner | undefined): string {
  const who = banner
    ? `<div class="who"><p>${e(bannerText(banner.professional))}</p>
<form method="post" action="/portal/logout">${hiddenCsrf(banner.csrf)}<button type="submit" class="secondary">Se déconnecter</button></form></div>`
    : '';
  return `<header class="site">
<p class="service"><a href="/portal">${e(SERVICE_NAME)}</a> <span>— service MyHealth@EU pour les professionnels de santé</span></p>
${who}
</header>`;
}

/**
 * A portal page: the header (service, and the professional once logged in),
 * the page's heading and body. Styles and scripts are files of /portal/static
 * only (the Content-Security-Policy forbids inline ones).
 */
export function portalPage(o: { title: string; body: string; banner?: Banner; steps?: string }): string {
  return `<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(o.title)} — ${e(SERVICE_NAME)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/portal/static/portal.css">
<script src="/portal/static/portal.js" defer></script>
</head>
<body>
<a class="skip" href="#contenu">Aller au contenu</a>
${header(o.banner)}
<main id="contenu">
${o.steps ?? ''}
<h1>${e(o.title)}</h1>
${o.body}
</main>
<footer class="site"><p><a href="/portal/cgu">Conditions Générales d'Utilisation</a> · <a href="/pin/fr">Notice d'information des patients</a></p></footer>
</body>
</html>`;
}

const STEPS = ['Recherche du patient', 'Vérification et consentement', 'Synthèse médicale'];

/** Where the professional is in the journey (1–3). */
export function journeySteps(current: 1 | 2 | 3): string {
  return `<nav aria-label="Étapes"><ol class="steps">${STEPS.map((s, i) => `<li${i + 1 === current ? ' aria-current="step"' : ''}>${e(s)}</li>`).join('')}</ol></nav>`;
}

/** A message the user must notice (errors, no match): read out by screen readers. */
export function alertBox(message: string, kind: 'error' | 'info' = 'error'): string {
  return `<div class="alert ${kind}" role="alert"><p>${e(message)}</p></div>`;
}
