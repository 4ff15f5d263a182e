import type { Router } from 'express';
import type { DocumentKind } from '../../mapping/index.js';
import { parseDocumentId } from '../../journey/summary-documents.js';
import { PortalApiError, type PortalApi } from './api-client.js';
import { journeyRoute, PATIENT_ID, type JourneyDeps } from './journey-route.js';
import { alertBox, journeySteps, portalPage } from './layout.js';
import { errorPage, notFoundPage, sendPage } from './pages.js';
import { traitsOf } from './search.js';
import { summaryLinksFrom, summaryView, type SummaryLinks } from './summary-view.js';

/** How the portal asks for and names each kind of the summary's documents (MHD Binary ids: <patient>.<kind>[-<rank>]). */
const DOCUMENTS: Record<DocumentKind, { accept: string; filename: string }> = {
  L1: { accept: 'application/pdf', filename: 'synthese-originale.pdf' },
  'fr-PDF': { accept: 'application/pdf', filename: 'synthese-traduite.pdf' },
  L3: { accept: 'text/xml', filename: 'synthese-originale.xml' },
  'fr-L3': { accept: 'text/xml', filename: 'synthese-traduite.xml' },
};

/** An original clinical document (MHD Binary ids: <patient>.<lab|hdr|imr|img>-<key>): the file it carries, named by its type. */
const ORIGINAL_ACCEPT = 'application/pdf, image/png, image/jpeg';
const ORIGINAL_FILENAMES: Record<string, string> = { 'application/pdf': 'document-origine.pdf', 'image/png': 'image-origine.png', 'image/jpeg': 'image-origine.jpg' };

/** Which documents the country offers for this patient, from the MHD DocumentReference search (none when it fails). */
async function documentLinks(api: PortalApi, id: string): Promise<SummaryLinks> {
  let bundle: fhir4.Bundle;
  try {
    bundle = await api.read<fhir4.Bundle>(`DocumentReference?patient=Patient/${encodeURIComponent(id)}`);
  } catch (err) {
    if (err instanceof PortalApiError && err.status !== 401) return {};
    throw err;
  }
  const path = `/portal/patients/${encodeURIComponent(id)}/documents/`;
  return summaryLinksFrom(bundle, (docId) => `${path}${encodeURIComponent(docId.slice(id.length + 1))}`);
}

/** The names of the patient's identifiers, from the country's search mask ("Numéro d'assuré (MBO)"); none when it cannot be read. */
async function identifierLabels(api: PortalApi, bundle: fhir4.Bundle): Promise<(system: string) => string | undefined> {
  const patient = bundle.entry?.map((x) => x.resource).find((r): r is fhir4.Patient => r?.resourceType === 'Patient');
  const country = patient?.address?.find((a) => a.country)?.country;
  if (!country || !/^[A-Z]{2}$/.test(country)) return () => undefined;
  try {
    const traits = await traitsOf(api, country);
    return (system) => traits.find((t) => t.system === system)?.label;
  } catch (err) {
    if (err instanceof PortalApiError && err.status !== 401) return () => undefined;
    throw err;
  }
}

/** Synthèse médicale: the translated summary ($summary) and the country's documents (MHD), through the FHIR API. */
export function mountSummary(router: Router, deps: JourneyDeps): void {
  router.get('/patients/:id/synthese', journeyRoute(deps, async (req, res, { api, banner }) => {
    const id = String(req.params.id);
    if (!PATIENT_ID.test(id)) return sendPage(res, 404, notFoundPage(banner));
    const again = '<div class="actions"><a class="button" href="/portal/recherche">Nouvelle recherche</a></div>';
    let bundle: fhir4.Bundle;
    try {
      bundle = await api.read<fhir4.Bundle>(`Patient/${id}/$summary`);
    } catch (err) {
      if (!(err instanceof PortalApiError) || err.status === 401) throw err;
      // No consent yet (or it expired): back to the verification step.
      const consentNeeded = err.code === 'consent-required';
      const back = consentNeeded ? `<p><a href="/portal/patients/${encodeURIComponent(id)}/verification">Vérifier l'identité et recueillir le consentement</a></p>` : '';
      return sendPage(res, err.status, portalPage({ title: 'Synthèse médicale', banner, steps: journeySteps(3), body: `${alertBox(err.message)}${back}${again}` }));
    }
    const [links, identifierLabel] = await Promise.all([documentLinks(api, id), identifierLabels(api, bundle)]);
    sendPage(res, 200, portalPage({
      title: 'Synthèse médicale',
      banner,
      steps: journeySteps(3),
      body: `<div class="actions no-print"><button type="button" data-print hidden>Imprimer</button> <a class="button secondary" href="/portal/recherche">Nouvelle recherche</a></div>
${summaryView(bundle, links, { identifierLabel })}
${again}`,
    }));
  }));

  router.get('/patients/:id/documents/:document', journeyRoute(deps, async (req, res, { api, banner }) => {
    const id = String(req.params.id);
    const docId = `${id}.${String(req.params.document)}`;
    const ref = PATIENT_ID.test(id) ? parseDocumentId(docId) : undefined;
    if (!ref || ref.handle !== id) return sendPage(res, 404, notFoundPage(banner));
    const accept = ref.kind === 'orcd' ? ORIGINAL_ACCEPT : DOCUMENTS[ref.kind].accept;
    const { contentType, body } = await api.binary(`Binary/${docId}`, accept);
    // Only what was asked for is passed on to the browser (an original is a PDF or an image, nothing it could run).
    const type = contentType.split(';')[0].trim().toLowerCase();
    const filename = ref.kind === 'orcd' ? ORIGINAL_FILENAMES[type] : DOCUMENTS[ref.kind].filename;
    if (!filename) return sendPage(res, 502, errorPage('Le document reçu n’est pas d’un type affichable.', banner));
    res.status(200).set({
      'Cache-Control': 'no-store',
      'Content-Type': contentType,
      'Content-Disposition': `inline; filename="${filename}"`,
      'X-Content-Type-Options': 'nosniff',
    }).send(body);
  }));
}
