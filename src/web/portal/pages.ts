import type { Response } from 'express';
import type { Refusal } from '../../auth/eligibility/index.js';
import { escapeHtml as e } from '../html.js';
import { alertBox, hiddenCsrf, portalPage, type Banner } from './layout.js';

/** Every portal page: HTML, never cached (it may show patient data). */
export function sendPage(res: Response, status: number, html: string): void {
  res.status(status).set('Cache-Control', 'no-store').type('html').send(html);
}

const CGU_LABEL = 'J\'ai lu et j\'accepte les <a href="/portal/cgu">Conditions Générales d\'Utilisation</a>';

/** Accueil: the terms of use to accept, then the login with Pro Santé Connect. */
export function accueilPage(o: { cguMissing?: boolean; notice?: string } = {}): string {
  return portalPage({
    title: 'Accueil',
    body: `${o.notice ? alertBox(o.notice, 'info') : ''}
<p>Consultez, traduite en français, la synthèse médicale d'un patient résidant dans un autre pays de l'Union
européenne, transmise par le réseau MyHealth@EU, lorsque ce patient vous consulte en France et y consent.</p>
<form method="get" action="/portal/login">
${o.cguMissing ? '<p class="field-error" id="cgu-error" role="alert">Acceptez les Conditions Générales d\'Utilisation pour continuer.</p>' : ''}
<label class="check"><input type="checkbox" name="cgu" id="cgu" required${o.cguMissing ? ' aria-invalid="true" aria-describedby="cgu-error"' : ''}> <span>${CGU_LABEL}</span></label>
<p class="hint">La connexion se fait avec votre carte CPS ou votre e-CPS (application mobile), par Pro Santé Connect.</p>
<div class="actions"><button type="submit">Se connecter avec Pro Santé Connect</button></div>
</form>`,
  });
}

export function cguPage(banner?: Banner): string {
  return portalPage({
    title: 'Conditions Générales d\'Utilisation',
    banner,
    body: `<p>Ce service permet aux professionnels de santé exerçant en France de consulter la synthèse médicale
(Patient Summary) d'un patient résidant dans un autre État membre, transmise par le point de contact national de ce pays
au travers du réseau européen MyHealth@EU (eHDSI).</p>
<h2>Accès</h2>
<p>L'accès est réservé aux professionnels de santé habilités, authentifiés par Pro Santé Connect (carte CPS ou e-CPS),
dans le cadre de la prise en charge du patient. Certaines professions et situations d'exercice ne sont pas éligibles.</p>
<h2>Consentement du patient</h2>
<p>Avant toute consultation, le professionnel vérifie l'identité du patient, lui remet la notice d'information et
recueille son consentement. Le consentement vaut pour la consultation en cours (deux heures au plus).</p>
<h2>Traduction</h2>
<p>La synthèse est traduite automatiquement à partir des terminologies européennes. Les termes non traduits sont signalés ;
le texte original du pays reste consultable et seul il fait foi. La traduction ne remplace pas le jugement clinique.</p>
<h2>Traçabilité</h2>
<p>Chaque consultation est tracée (professionnel, patient, date, résultat) et peut être communiquée au patient
et au point de contact de son pays.</p>
<p><a href="/portal">Retour à l'accueil</a></p>`,
  });
}

export function refusedPage(displayName: string, refusals: readonly Refusal[], banner: { csrf: string }): string {
  const items = refusals.map((r) => `<li>${e(r.messages.fr)} <span class="hint">(règle ${e(r.code)})</span></li>`).join('\n');
  return portalPage({
    title: 'Accès refusé',
    body: `<p><strong>Accès refusé</strong> : ${e(displayName)}, votre situation d'exercice ne permet pas d'utiliser ce service.</p>
<ul>
${items}
</ul>
<form method="post" action="/portal/logout">${hiddenCsrf(banner.csrf)}<div class="actions"><button type="submit">Se déconnecter</button></div></form>`,
  });
}

export function errorPage(message: string, banner?: Banner): string {
  return portalPage({
    title: 'Une erreur est survenue',
    banner,
    body: `${alertBox(message)}<p><a href="/portal">Retour à l'accueil</a></p>`,
  });
}

export function notFoundPage(banner?: Banner): string {
  return portalPage({
    title: 'Page introuvable',
    banner,
    body: '<p>Cette page n\'existe pas.</p><p><a href="/portal">Retour à l\'accueil</a></p>',
  });
}
