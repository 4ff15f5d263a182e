/**
 * The Patient Information Notice (PIN) the professional gives the patient
 * before recording their consent (Consent.policy.uri). French is served by
 * this project; every other EU language links to the European Commission's
 * information on MyHealth@EU in that language.
 */
import { readFileSync } from 'node:fs';
import type { Express, Request, Response } from 'express';
import { PIN_LANGUAGES, PIN_PATH } from '../../journey/pin.js';
import { projectPath } from '../../util/project.js';

export { PIN_LANGUAGES, PIN_PATH };


/** The European Commission's page on cross-border health services, in one language. */
export function euNoticeUrl(lang: string): string {
  return `https://health.ec.europa.eu/ehealth-digital-health-and-care/electronic-cross-border-health-services_${lang}`;
}

let frenchPage: string | undefined;

function frenchNotice(): string {
  frenchPage ??= readFileSync(projectPath('src', 'web', 'pin', 'notice-fr.html'), 'utf8')
    .replace('<!--OTHER-LANGUAGES-->', PIN_LANGUAGES.filter((l) => l !== 'fr')
      .map((l) => `<li><a href="${euNoticeUrl(l)}" hreflang="${l}" lang="${l}">${l.toUpperCase()}</a></li>`).join('\n      '));
  return frenchPage;
}

/** Mounts GET /pin (→ /pin/fr), /pin/fr (the notice) and /pin/<lang> (→ the EU page in that language). */
export function mountPatientInformationNotice(app: Express): void {
  app.get(PIN_PATH, (_req: Request, res: Response) => {
    res.locals.routePattern = PIN_PATH;
    res.redirect(302, `${PIN_PATH}/fr`);
  });
  app.get(`${PIN_PATH}/:lang`, (req: Request, res: Response) => {
    res.locals.routePattern = `${PIN_PATH}/{lang}`;
    const lang = String(req.params.lang).toLowerCase();
    if (lang === 'fr') {
      res.status(200).type('text/html; charset=utf-8').set('Content-Language', 'fr').send(frenchNotice());
      return;
    }
    if ((PIN_LANGUAGES as readonly string[]).includes(lang)) {
      res.redirect(302, euNoticeUrl(lang));
      return;
    }
    res.status(404).type('text/plain; charset=utf-8').send(`No patient information notice in "${lang}"; see ${PIN_PATH}/fr`);
  });
}
