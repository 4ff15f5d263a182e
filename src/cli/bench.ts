/**
 * Conversion benchmark:  npm run bench -- [samples folder] [--runs N]
 * For every document of fixtures/patients/ and of the samples folder (default
 * ../shared/ehdsi-samples/cda when present): median and p95 of a full
 * conversion (parse + map + translate + narratives + JSON serialisation), and,
 * in the same run, of a bare namespace-aware saxes parse of the same text;
 * then the ratio (median of the per-run ratios), and the share of each stage
 * (the project's parse, mapping with translation and narratives, JSON) as
 * ratios to the same bare parse. Then the French documents of a level 3
 * document, each as a ratio to the same bare parse: the translated CDA (from
 * the CDA text) and the French PDF (from the converted Bundle).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { SaxesParser } from 'saxes';
import { renderSummaryPdf, translateCda } from '../documents/index.js';
import { convertTree } from '../mapping/convert.js';
import { convertPatientSummary } from '../mapping/index.js';
import { projectMaps } from '../mapping/map-loader.js';
import { parseXml } from '../mapping/xml-tree.js';
import { defaultCatalogue } from '../terminology/catalogue.js';
import { projectPath } from '../util/project.js';

interface Row {
  name: string;
  kb: number;
  convertMedian: number;
  convertP95: number;
  parseMedian: number;
  parseP95: number;
  /** Median of the per-run ratios (each conversion over the parse measured right after it). */
  ratio: number;
  /** Medians of the per-run ratios of each stage of the conversion to the bare parse. */
  stages: { parse: number; map: number; json: number };
  /** Medians of the per-run ratios of the French documents to the bare parse (level 3 documents only). */
  documents?: { translatedCda: number; pdf: number };
}

function documents(samples: string | undefined): Array<{ name: string; file: string }> {
  const out: Array<{ name: string; file: string }> = [];
  const fixtures = projectPath('fixtures', 'patients');
  if (existsSync(fixtures)) {
    for (const slug of readdirSync(fixtures).sort()) {
      for (const f of ['L3.xml', 'L1.xml']) {
        const file = path.join(fixtures, slug, f);
        if (existsSync(file)) out.push({ name: `fixtures/${slug}/${f}`, file });
      }
    }
  }
  if (samples && existsSync(samples) && statSync(samples).isDirectory()) {
    for (const f of readdirSync(samples).filter((x) => x.endsWith('.xml')).sort()) out.push({ name: `samples/${f}`, file: path.join(samples, f) });
  }
  return out;
}

function bareParse(text: string): void {
  const parser = new SaxesParser({ xmlns: true });
  parser.on('error', (e) => {
    throw e;
  });
  parser.write(text).close();
}

function quantiles(times: number[]): { median: number; p95: number } {
  const s = [...times].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  return { median: at(0.5), p95: at(0.95) };
}

async function measure(text: string, runs: number): Promise<Omit<Row, 'name' | 'kb'>> {
  const maps = projectMaps();
  const catalogue = defaultCatalogue();
  // The conversion convertPatientSummary does, timed stage by stage.
  const convert = (): [number, number, number] => {
    let t = process.hrtime.bigint();
    const tree = parseXml(text);
    const parse = Number(process.hrtime.bigint() - t) / 1e6;
    t = process.hrtime.bigint();
    const { bundle } = convertTree(tree, { language: 'fr-FR', maps, catalogue });
    const map = Number(process.hrtime.bigint() - t) / 1e6;
    t = process.hrtime.bigint();
    JSON.stringify(bundle);
    return [parse, map, Number(process.hrtime.bigint() - t) / 1e6];
  };
  for (let i = 0; i < 10; i++) {
    convert();
    bareParse(text);
  }
  const conv: number[] = [];
  const parse: number[] = [];
  const ratios: number[] = [];
  const stages = { parse: [] as number[], map: [] as number[], json: [] as number[] };
  // Interleaved so that both see the same machine load.
  for (let i = 0; i < runs; i++) {
    const [p, m, j] = convert();
    conv.push(p + m + j);
    const t = process.hrtime.bigint();
    bareParse(text);
    const bare = Number(process.hrtime.bigint() - t) / 1e6;
    parse.push(bare);
    ratios.push(conv[i] / bare);
    stages.parse.push(p / bare);
    stages.map.push(m / bare);
    stages.json.push(j / bare);
  }
  const c = quantiles(conv);
  const b = quantiles(parse);
  const med = (xs: number[]): number => quantiles(xs).median;
  const bundle = convertTree(parseXml(text), { language: 'fr-FR', maps, catalogue }).bundle;
  let documents: Row['documents'];
  if (!text.includes('nonXMLBody')) {
    const cdaRatios: number[] = [];
    const pdfRatios: number[] = [];
    for (let i = 0; i < Math.max(3, Math.ceil(runs / 4)); i++) {
      let t = process.hrtime.bigint();
      translateCda(text, { catalogue, language: 'fr-FR' });
      const cda = Number(process.hrtime.bigint() - t) / 1e6;
      t = process.hrtime.bigint();
      await renderSummaryPdf(bundle, { generatedAt: new Date(0) });
      const pdf = Number(process.hrtime.bigint() - t) / 1e6;
      t = process.hrtime.bigint();
      bareParse(text);
      const bare = Number(process.hrtime.bigint() - t) / 1e6;
      cdaRatios.push(cda / bare);
      pdfRatios.push(pdf / bare);
    }
    documents = { translatedCda: med(cdaRatios), pdf: med(pdfRatios) };
  }
  return {
    documents,
    convertMedian: c.median,
    convertP95: c.p95,
    parseMedian: b.median,
    parseP95: b.p95,
    ratio: med(ratios),
    stages: { parse: med(stages.parse), map: med(stages.map), json: med(stages.json) },
  };
}

async function main(argv: string[]): Promise<number> {
  const args = [...argv];
  const r = args.indexOf('--runs');
  const runs = r >= 0 ? Number(args.splice(r, 2)[1]) : 50;
  const defaultSamples = path.resolve(projectPath(), '..', 'shared', 'ehdsi-samples', 'cda');
  const samples = args[0] ?? (existsSync(defaultSamples) ? defaultSamples : undefined);
  // Maps and catalogue are loaded once per process, as in the server.
  projectMaps();
  defaultCatalogue();
  const docs = documents(samples);
  if (!docs.length) {
    process.stderr.write('no documents found (fixtures/patients/*/L3.xml, or pass a samples folder)\n');
    return 2;
  }
  const texts = docs.map(({ file }) => readFileSync(file, 'utf8'));
  // Steady state: every code path compiled by the JIT before the first document is timed.
  for (let round = 0; round < 10; round++) {
    for (const text of texts) {
      JSON.stringify(convertPatientSummary(text).bundle);
      bareParse(text);
    }
  }
  const rows: Row[] = [];
  for (const [i, { name }] of docs.entries()) rows.push({ name, kb: Buffer.byteLength(texts[i]) / 1024, ...(await measure(texts[i], runs)) });
  const w = Math.max(...rows.map((x) => x.name.length), 8);
  const f = (n: number): string => n.toFixed(2).padStart(8);
  const lines = [
    `${'document'.padEnd(w)}  ${'KiB'.padStart(6)}  ${'conv med'.padStart(8)}  ${'conv p95'.padStart(8)}  ${'saxes med'.padStart(9)}  ${'saxes p95'.padStart(9)}  ${'ratio'.padStart(5)}  parse    map   json  fr-cda  fr-pdf`,
  ];
  for (const x of rows) {
    lines.push(`${x.name.padEnd(w)}  ${x.kb.toFixed(0).padStart(6)}  ${f(x.convertMedian)}  ${f(x.convertP95)}  ${f(x.parseMedian).padStart(9)}  ${f(x.parseP95).padStart(9)}  ${x.ratio.toFixed(2).padStart(5)}  ${x.stages.parse.toFixed(2).padStart(5)}  ${x.stages.map.toFixed(2).padStart(5)}  ${x.stages.json.toFixed(2).padStart(5)}  ${x.documents ? x.documents.translatedCda.toFixed(2).padStart(6) : '     -'}  ${x.documents ? x.documents.pdf.toFixed(1).padStart(6) : '     -'}`);
  }
  const ratios = rows.map((x) => x.ratio);
  lines.push(
    `times in ms over ${runs} runs; ratio = median over the runs of conversion time / saxes parse time of the same run ` +
      `(both measured back to back, so that machine load affects them alike); parse / map / json: each stage of the conversion ` +
      `(the project's parse; mapping with translation and narratives; serialisation) over the same bare parse; fr-cda / fr-pdf: the translated CDA and the French PDF of a level 3 document over the same bare parse; worst ratio ${Math.max(...ratios).toFixed(2)}, target ≤ 2.00`,
  );
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
