import type { Router } from 'express';
import { frenchDate, humanName, languageName, residenceAddress, sexName } from '../../documents/index.js';
import { PIN_LANGUAGES, pinCanonical, type PinLanguage } from '../../journey/pin.js';
import { escapeHtml as e } from '../html.js';
import { PortalApiError } from './api-client.js';
import { journeyRoute, PATIENT_ID, type JourneyDeps } from './journey-route.js';
import { alertBox, hiddenCsrf, journeySteps, portalPage, type Banner } from './layout.js';
import { notFoundPage, sendPage } from './pages.js';

const UNAVAILABLE = 'Information indisponible';

/** The language of the Patient Information Notice for a country's residents (its first official EU language). */
const COUNTRY_LANGUAGE: Record<string, PinLanguage> = {
  AT: 'de', BE: 'nl', BG: 'bg', CY: 'el', CZ: 'cs', DE: 'de', DK: 'da', EE: 'et', ES: 'es', FI: 'fi', FR: 'fr', GR: 'el',
  HR: 'hr', HU: 'hu', IE: 'en', IT: 'it', LT: 'lt', LU: 'fr', LV: 'lv', MT: 'mt', NL: 'nl', PL: 'pl', PT: 'pt', RO: 'ro',
  SE: 'sv', SI: 'sl', SK: 'sk',
};

export function patientLanguage(p: fhir4.Patient): PinLanguage | undefined {
  const country = p.address?.find((a) => a.country)?.country;
  const lang = country ? COUNTRY_LANGUAGE[country.toUpperCase()] : undefined;
  return lang && (PIN_LANGUAGES as readonly string[]).includes(lang) ? lang : undefined;
}

/** The identity the country returned, in French, as the professional checks it against the patient's document. */
export function identityFacts(p: fhir4.Patient): Array<[string, string]> {
  return [
    ['Nom et prénom', p.name?.map(humanName).filter(Boolean).join(' / ') || UNAVAILABLE],
    ['Sexe', sexName(p.gender) ?? UNAVAILABLE],
    ['Date de naissance', frenchDate(p.birthDate, false) ?? UNAVAILABLE],
    ['Adresse de résidence', residenceAddress(p) ?? UNAVAILABLE],
  ];
}

function facts(rows: Array<[string, string]>): string {
  return `<dl class="facts">${rows.map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`).join('')}</dl>`;
}

function noticeLinks(lang: PinLanguage | undefined): string {
  const other = lang && lang !== 'fr'
    ? `<li><a href="/pin/${lang}" hreflang="${lang}" target="_blank" rel="noopener">Notice d'information en ${e(languageName(lang)?.toLowerCase() ?? lang)}</a></li>`
    : '';
  return `<ul><li><a href="/pin/fr" hreflang="fr" target="_blank" rel="noopener">Notice d'information en français</a></li>${other}</ul>`;
}

function verificationPage(banner: Banner, id: string, p: fhir4.Patient, message = ''): string {
  const path = `/portal/patients/${encodeURIComponent(id)}`;
  return portalPage({
    title: 'Vérification et consentement',
    banner,
    steps: journeySteps(2),
    body: `${message}
<section aria-labelledby="identite"><h2 id="identite">Identité transmise par le pays</h2>
<p>Vérifiez que ces informations sont celles du document d'identité du patient.</p>
${facts(identityFacts(p))}
</section>
<section aria-labelledby="notice"><h2 id="notice">Information du patient</h2>
<p>Remettez au patient la notice d'information sur le traitement de ses données, dans sa langue s'il le souhaite :</p>
${noticeLinks(patientLanguage(p))}
<p>Le patient peut signer la <a href="${path}/consentement">Feuille de consentement du patient</a> (à imprimer).</p>
</section>
<form method="post" action="${path}/consentement" data-requires-all>
${hiddenCsrf(banner.csrf)}
<fieldset><legend>Avant de consulter la synthèse médicale</legend>
<label class="check"><input type="checkbox" name="necessaire" required> <span>La consultation de la synthèse médicale de ce patient est nécessaire à sa prise en charge.</span></label>
<label class="check"><input type="checkbox" name="consentement" required> <span>J'ai recueilli le consentement du patient après lui avoir remis la notice d'information.</span></label>
</fieldset>
<div class="actions"><button type="submit">Consulter la synthèse médicale</button> <a href="/portal/recherche">Nouvelle recherche</a></div>
</form>`,
  });
}

/** The sheet the patient signs, printed from the browser. */
function consentSheet(banner: Banner, id: string, p: fhir4.Patient): string {
  const family = p.name?.[0]?.family ?? '';
  const given = (p.name?.[0]?.given ?? []).join(' ');
  return portalPage({
    title: 'Consentement du patient',
    banner,
    body: `<div class="sheet">
<p>Je soussigné(e), patient(e) résidant hors de France, accepte que le professionnel de santé qui me prend en charge
consulte ma synthèse médicale transmise par le point de contact national de mon pays au travers du réseau MyHealth@EU.
J'ai reçu la notice d'information sur le traitement de mes données.</p>
<dl class="facts"><dt>Nom</dt><dd>${e(family || UNAVAILABLE)}</dd><dt>Prénoms</dt><dd>${e(given || UNAVAILABLE)}</dd>
<dt>Date de naissance</dt><dd>${e(frenchDate(p.birthDate, false) ?? UNAVAILABLE)}</dd></dl>
<p>Fait à :</p><div class="line"></div>
<p>Le (date) :</p><div class="line"></div>
<p>Signature du patient :</p><div class="line"></div>
</div>
<div class="actions"><button type="button" data-print hidden>Imprimer</button> <a href="/portal/patients/${encodeURIComponent(id)}/verification">Retour à la vérification</a></div>`,
  });
}

/** Vérification et consentement: the country's identity, the notice, the two statements, then the FHIR Consent. */
export function mountVerification(router: Router, deps: JourneyDeps): void {
  router.get('/patients/:id/verification', journeyRoute(deps, async (req, res, { api, banner }) => {
    const id = String(req.params.id);
    if (!PATIENT_ID.test(id)) return sendPage(res, 404, notFoundPage(banner));
    sendPage(res, 200, verificationPage(banner, id, await api.read<fhir4.Patient>(`Patient/${id}`)));
  }));

  router.get('/patients/:id/consentement', journeyRoute(deps, async (req, res, { api, banner }) => {
    const id = String(req.params.id);
    if (!PATIENT_ID.test(id)) return sendPage(res, 404, notFoundPage(banner));
    sendPage(res, 200, consentSheet(banner, id, await api.read<fhir4.Patient>(`Patient/${id}`)));
  }));

  // The portal checked the form's CSRF token before any route.
  router.post('/patients/:id/consentement', journeyRoute(deps, async (req, res, { api, banner, professional }) => {
    const id = String(req.params.id);
    if (!PATIENT_ID.test(id)) return sendPage(res, 404, notFoundPage(banner));
    const body = (req.body ?? {}) as Record<string, unknown>;
    // The patient is read again only to show the page once more (a refusal), never on the way to the summary.
    const again = async (status: number, message: string) =>
      sendPage(res, status, verificationPage(banner, id, await api.read<fhir4.Patient>(`Patient/${id}`), alertBox(message)));
    if (body.necessaire !== 'on' || body.consentement !== 'on') return again(400, 'Cochez les deux cases pour consulter la synthèse médicale.');
    const consent: fhir4.Consent = {
      resourceType: 'Consent',
      status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: `Patient/${id}` },
      performer: [{ reference: `Practitioner/${professional.practitionerId}` }],
      policy: [{ uri: pinCanonical('fr') }],
      provision: { purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' }] },
      verification: [{ verified: true, verifiedWith: { reference: `Patient/${id}` } }],
    };
    try {
      await api.create('Consent', consent);
    } catch (err) {
      if (!(err instanceof PortalApiError) || err.status === 401) throw err;
      return again(err.status, err.message);
    }
    res.redirect(303, `/portal/patients/${encodeURIComponent(id)}/synthese`);
  }));
}
