import type { Request, Router } from 'express';
import { frenchDate, humanName, addressText, sexName } from '../../documents/index.js';
import { escapeHtml as e } from '../html.js';
import { PortalApiError, type PortalApi } from './api-client.js';
import { journeyRoute, type JourneyContext, type JourneyDeps } from './journey-route.js';
import { alertBox, hiddenCsrf, journeySteps, portalPage, type Banner } from './layout.js';
import { sendPage } from './pages.js';
import { traitHelp } from './trait-help.js';

const REGEX_EXT = 'http://hl7.org/fhir/StructureDefinition/regex';
const MAX_FIELD = 100;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const COUNTRY = /^[A-Z]{2}$/;

interface Country { code: string; name: string }

/** One identity trait of a country's search mask (an SDC Questionnaire item). */
export interface Trait {
  linkId: string;
  label: string;
  system: string;
  required: boolean;
  pattern?: RegExp | undefined;
  help?: string;
}

interface SearchForm {
  country?: Country;
  traits: Trait[];
  values: Record<string, string>;
  errors: Record<string, string>;
}

async function countries(api: PortalApi): Promise<Country[]> {
  const vs = await api.read<fhir4.ValueSet>('ValueSet/countries/$expand');
  return (vs.expansion?.contains ?? []).filter((c) => c.code).map((c) => ({ code: c.code!, name: c.display ?? c.code! }));
}

/** A country's identity traits, from its search mask (Questionnaire?jurisdiction=XX). */
export async function traitsOf(api: PortalApi, country: string): Promise<Trait[]> {
  const bundle = await api.read<fhir4.Bundle>(`Questionnaire?jurisdiction=${country}`);
  const q = bundle.entry?.map((x) => x.resource).find((r): r is fhir4.Questionnaire => r?.resourceType === 'Questionnaire');
  return (q?.item ?? []).filter((i) => i.type !== 'display' && i.code?.[0]?.code).map((i) => {
    const regex = i.extension?.find((x) => x.url === REGEX_EXT)?.valueString;
    const help = i.item?.find((h) => h.type === 'display')?.text;
    return {
      linkId: i.linkId,
      label: i.text ?? i.linkId,
      system: i.code![0].code!,
      required: i.required === true,
      ...(regex ? { pattern: compiled(regex) } : {}),
      ...(help ? { help } : {}),
    };
  });
}

/** The mask's format check; one the engine cannot read checks nothing here (the country still checks). */
function compiled(regex: string): RegExp | undefined {
  try {
    return new RegExp(regex, 'u');
  } catch {
    return undefined;
  }
}

const fieldId = (linkId: string): string => `trait-${linkId.replace(/[^A-Za-z0-9_-]/g, '_')}`;

function textField(id: string, name: string, label: string, value: string | undefined, o: { error?: string; hint?: string; required?: boolean; type?: string; autocomplete?: string } = {}): string {
  const described = [o.hint ? `${id}-hint` : '', o.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return `<label for="${e(id)}">${e(label)}${o.required ? ' <span aria-hidden="true">*</span>' : ' <span class="hint">(facultatif)</span>'}</label>
${o.hint ? `<p class="hint" id="${e(id)}-hint">${e(o.hint)}</p>` : ''}${o.error ? `<p class="field-error" id="${e(id)}-error">${e(o.error)}</p>` : ''}
<input type="${o.type ?? 'text'}" id="${e(id)}" name="${e(name)}" value="${e(value ?? '')}" maxlength="${MAX_FIELD}"${o.required ? ' required' : ''}${o.error ? ' aria-invalid="true"' : ''}${described ? ` aria-describedby="${e(described)}"` : ''} autocomplete="${o.autocomplete ?? 'off'}">`;
}

function searchPage(banner: Banner, all: Country[], form: SearchForm, outcome = ''): string {
  const chosen = form.country?.code;
  const countrySelect = `<form method="get" action="/portal/recherche" class="country">
<label for="pays">Pays de résidence</label>
<p class="hint" id="pays-hint">Le pays dont le patient est assuré ou résident, qui transmet sa synthèse médicale.</p>
<select id="pays" name="pays" aria-describedby="pays-hint">
<option value="">— Choisir un pays —</option>
${all.map((c) => `<option value="${e(c.code)}"${c.code === chosen ? ' selected' : ''}>${e(c.name)}</option>`).join('\n')}
</select>
<div class="actions"><button type="submit" class="secondary">Valider le pays</button></div>
</form>`;
  const traits = form.country ? `<form method="post" action="/portal/recherche" novalidate>
${hiddenCsrf(banner.csrf)}<input type="hidden" name="pays" value="${e(form.country.code)}">
<fieldset><legend>Traits d'identité demandés par : ${e(form.country.name)}</legend>
${form.traits.map((t) => textField(fieldId(t.linkId), `t_${t.linkId}`, t.label, form.values[`t_${t.linkId}`], { error: form.errors[`t_${t.linkId}`], hint: t.help, required: t.required })).join('\n')}
${traitHelp(form.country.code, form.country.name, form.traits.map((t) => ({ linkId: t.linkId, label: t.label, ...(t.help ? { help: t.help } : {}) })))}
</fieldset>
<fieldset><legend>Affiner la recherche</legend>
<p class="hint">Ces informations ne remplacent pas les traits d'identité ; elles aident le pays à départager plusieurs patients.</p>
${textField('nom', 'nom', 'Nom', form.values.nom, { error: form.errors.nom, autocomplete: 'off' })}
${textField('prenom', 'prenom', 'Prénom', form.values.prenom, { error: form.errors.prenom })}
${textField('naissance', 'naissance', 'Date de naissance', form.values.naissance, { error: form.errors.naissance, type: 'date' })}
</fieldset>
<div class="actions"><button type="submit">Rechercher</button></div>
</form>` : '';
  // A message (error, no match) comes first, where it is seen; a list of candidates follows the search it answers.
  const message = outcome.startsWith('<div class="alert');
  return portalPage({ title: 'Recherche du patient', banner, steps: journeySteps(1), body: message ? `${outcome}\n${countrySelect}\n${traits}` : `${countrySelect}\n${traits}\n${outcome}` });
}

function candidateList(patients: fhir4.Patient[]): string {
  return `<section aria-labelledby="candidats"><h2 id="candidats">Plusieurs patients correspondent</h2>
<p>Le pays a renvoyé ${patients.length} patients. Choisissez celui qui vous consulte, après avoir vérifié son identité.</p>
<ul class="candidates">
${patients.map((p, i) => `<li><p id="cand-${i}"><strong>${e(p.name?.map(humanName).join(' / ') || 'Nom non communiqué')}</strong>,
${e(sexName(p.gender) ?? 'sexe non communiqué')}, ${p.birthDate ? `né(e) le ${e(frenchDate(p.birthDate, false) ?? p.birthDate)}` : 'date de naissance non communiquée'}<br>
${e(addressText(p.address?.[0]) ?? 'Adresse : information indisponible')}</p>
<form method="get" action="/portal/patients/${encodeURIComponent(p.id ?? '')}/verification"><button type="submit" aria-describedby="cand-${i}">Choisir ce patient</button></form></li>`).join('\n')}
</ul></section>`;
}

function field(req: Request, name: string): string {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v.trim().slice(0, MAX_FIELD) : '';
}

/** Recherche du patient: the country, its identity traits (checked against the mask), then XCPD through the FHIR Patient search. */
export function mountSearch(router: Router, deps: JourneyDeps): void {
  const emptyForm = (): SearchForm => ({ traits: [], values: {}, errors: {} });

  router.get('/recherche', journeyRoute(deps, async (req, res, { api, banner }) => {
    const all = await countries(api);
    const form = emptyForm();
    const code = typeof req.query.pays === 'string' ? req.query.pays : '';
    let outcome = '';
    if (code) {
      form.country = all.find((c) => c.code === code);
      if (form.country) form.traits = await traitsOf(api, form.country.code);
      else outcome = alertBox('Choisissez un pays de la liste.');
    }
    sendPage(res, form.country || !code ? 200 : 400, searchPage(banner, all, form, outcome));
  }));

  router.post('/recherche', journeyRoute(deps, async (req, res, ctx: JourneyContext) => {
    // The portal checked the form's CSRF token before any route.
    const { api, banner } = ctx;
    const all = await countries(api);
    const code = field(req, 'pays');
    const country = COUNTRY.test(code) ? all.find((c) => c.code === code) : undefined;
    if (!country) return sendPage(res, 400, searchPage(banner, all, emptyForm(), alertBox('Choisissez un pays de la liste.')));
    const form: SearchForm = { country, traits: await traitsOf(api, country.code), values: {}, errors: {} };
    for (const name of ['nom', 'prenom', 'naissance', ...form.traits.map((t) => `t_${t.linkId}`)]) form.values[name] = field(req, name);
    for (const t of form.traits) {
      const v = form.values[`t_${t.linkId}`];
      if (!v) {
        if (t.required) form.errors[`t_${t.linkId}`] = `Saisissez : ${t.label}.`;
      } else if (t.pattern && !t.pattern.test(v)) {
        form.errors[`t_${t.linkId}`] = `Format incorrect pour : ${t.label}.${t.help ? ` ${t.help}` : ''}`;
      }
    }
    if (form.values.naissance && !ISO_DATE.test(form.values.naissance)) form.errors.naissance = 'Date de naissance : saisissez une date valide (jj/mm/aaaa).';
    if (Object.keys(form.errors).length > 0) {
      return sendPage(res, 400, searchPage(banner, all, form, alertBox('Corrigez les champs signalés, puis relancez la recherche.')));
    }
    const query = new URLSearchParams({ 'address-country': country.code });
    for (const t of form.traits) {
      const v = form.values[`t_${t.linkId}`];
      if (v) query.append('identifier', `${t.system}|${v}`);
    }
    if (form.values.nom) query.set('family', form.values.nom);
    if (form.values.prenom) query.set('given', form.values.prenom);
    if (form.values.naissance) query.set('birthdate', form.values.naissance);
    let found: fhir4.Patient[];
    try {
      const bundle = await api.read<fhir4.Bundle>(`Patient?${query}`);
      found = (bundle.entry ?? []).map((x) => x.resource).filter((r): r is fhir4.Patient => r?.resourceType === 'Patient' && typeof r.id === 'string');
    } catch (err) {
      // The country's answer (no match it refuses to tell, an error, no answer), in French: the search stays on screen.
      if (!(err instanceof PortalApiError) || err.status === 401) throw err;
      return sendPage(res, err.status, searchPage(banner, all, form, alertBox(`La recherche n'a pas abouti (pays de résidence : ${country.name}). ${err.message}`)));
    }
    if (found.length === 1) return res.redirect(303, `/portal/patients/${encodeURIComponent(found[0].id!)}/verification`);
    const outcome = found.length === 0
      ? alertBox(`Aucun patient ne correspond à ces traits d'identité (pays de résidence : ${country.name}). Vérifiez-les avec le patient, sur son document.`, 'info')
      : candidateList(found);
    sendPage(res, 200, searchPage(banner, all, form, outcome));
  }));
}

