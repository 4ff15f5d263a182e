import type { Refusal } from '../auth/eligibility/index.js';
import type { AuthenticatedProfessional } from '../auth/professional.js';
import { escapeHtml as e, page } from './html.js';

const TITLE = 'Résumés patients européens — portail professionnel';

export function loggedOutPage(message?: string): string {
  return page(TITLE, `${message ? `<p>${e(message)}</p>` : ''}
<p>Consultez le résumé patient d'un patient d'un autre pays de l'Union européenne, traduit en français.</p>
<p><a href="/portal/login"><button type="button">Se connecter avec Pro Santé Connect</button></a></p>`);
}

function logoutButton(): string {
  return '<form method="post" action="/portal/logout"><p><button type="submit">Se déconnecter</button></p></form>';
}

export function professionalPage(p: AuthenticatedProfessional): string {
  const c = p.context;
  const addr = [...c.practice.address.lines, [c.practice.address.postalCode, c.practice.address.city].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  const rows: Array<[string, string]> = [
    ['Identifiant national', c.nationalId],
    ['Profession', `${c.profession.display} (${c.profession.code})`],
    ...(c.specialty ? [['Spécialité', `${c.specialty.display ?? c.specialty.code} (${c.specialty.code})`] as [string, string]] : []),
    ['Mode d\'exercice', `${c.practice.mode.display ?? ''} (${c.practice.mode.code})`],
    ['Lieu d\'exercice', c.practice.organisationName],
    ['Adresse', addr || '—'],
    ...(c.practice.sector ? [['Secteur d\'activité', `${c.practice.sector.display ?? ''} (${c.practice.sector.code})`] as [string, string]] : []),
    ['Ressource FHIR', `Practitioner/${p.practitionerId}`],
  ];
  return page(TITLE, `<p id="welcome">Connecté : <strong>${e(c.displayName)}</strong></p>
<h2>Situation d'exercice de la session</h2>
<table>${rows.map(([k, v]) => `<tr><th>${e(k)}</th><td>${e(v)}</td></tr>`).join('')}</table>
${logoutButton()}`);
}

export function refusedPage(displayName: string, refusals: readonly Refusal[]): string {
  const items = refusals.map((r) => `<li><code>${e(r.code)}</code> — ${e(r.messages.fr)}<br><em lang="en">${e(r.messages.en)}</em></li>`).join('\n');
  return page(TITLE, `<p id="refused"><strong>Accès refusé</strong> pour ${e(displayName)} : vous n'êtes pas éligible au service.</p>
<ul>
${items}
</ul>
${logoutButton()}`);
}

export function errorPage(message: string): string {
  return page(TITLE, `<p><strong>La connexion a échoué.</strong> ${e(message)}</p><p><a href="/portal">Retour</a></p>`);
}
