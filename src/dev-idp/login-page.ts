import { evaluateEligibility } from '../auth/eligibility/index.js';
import { PROFESSIONS } from '../auth/nos.js';
import { text } from '../auth/psc-userinfo.js';
import { escapeHtml, page } from '../web/html.js';
import type { TestProfessional } from './practitioners.js';

/** What a test professional illustrates: eligible, or the first rule that refuses them. */
export function illustration(pro: TestProfessional, now: Date = new Date()): { eligible: boolean; rule: string | null } {
  const decision = evaluateEligibility(pro.userInfo, now);
  return decision.allowed ? { eligible: true, rule: null } : { eligible: false, rule: decision.refusals[0].code };
}

function professionsOf(pro: TestProfessional): string {
  const codes = (pro.userInfo.SubjectRefPro?.exercices ?? []).map((e) => text(e.codeProfession) ?? '?');
  return codes.length ? codes.map((c) => PROFESSIONS[c] ?? `profession ${c}`).join(', ') : '—';
}

/**
 * The stand-in's authentication page: like the PSC test environment with its
 * test cards, the person picks the professional to log in as.
 */
export function loginPage(action: string, clientId: string, professionals: readonly TestProfessional[]): string {
  const rows = professionals.map((p) => {
    const { eligible, rule } = illustration(p);
    const name = `${p.userInfo.given_name ?? ''} ${p.userInfo.family_name ?? ''}`.trim();
    return `<tr>
<td><button type="submit" name="nationalId" value="${escapeHtml(p.userInfo.SubjectNameID)}">${escapeHtml(name)}</button></td>
<td><code>${escapeHtml(p.userInfo.SubjectNameID)}</code></td>
<td>${escapeHtml(professionsOf(p))}</td>
<td>${eligible ? 'éligible' : `refusé : <code>${escapeHtml(rule ?? '')}</code>`}</td>
</tr>`;
  }).join('\n');
  return page('Pro Santé Connect — environnement de test embarqué', `
<p class="banner">Ceci est le substitut local de Pro Santé Connect. Choisissez la carte de test du professionnel
avec lequel vous connecter à <code>${escapeHtml(clientId)}</code> (authentification de niveau <code>eidas1</code>).</p>
<form method="post" action="${escapeHtml(action)}">
<table>
<thead><tr><th>Professionnel</th><th>Identifiant national</th><th>Profession(s)</th><th>Éligibilité attendue</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</form>
<form method="post" action="${escapeHtml(action)}/abort"><p><button class="secondary" type="submit">Annuler</button></p></form>`);
}
