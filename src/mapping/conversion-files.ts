import path from 'node:path';
import { catalogueFiles, defaultCatalogue, TerminologyCatalogue } from '../terminology/catalogue.js';
import { codeSystemRowProblem } from '../terminology/code-systems.js';
import { projectPath } from '../util/project.js';
import { readDataFile } from './data-file.js';
import { MapFileError } from './errors.js';
import { loadMaps, projectMaps } from './map-loader.js';
import type { MapSet } from './map-types.js';
import { loadNarrativeLabels, narrativeLabels } from './section-narrative.js';

/**
 * Every file of mappings/ a conversion reads, loaded and checked at once (at
 * start-up, rather than by the first conversion): the maps (against their
 * schema, their paths and each other), the words of the narratives, the table
 * of code systems and the project's terminology catalogue. What is wrong is
 * told with the file and the line (MapFileError: "mappings/…/file.yaml:12: …").
 */

/**
 * Loads and checks the files of a maps folder the conversion reads. The
 * project's (the default) are kept for the conversions; another folder's
 * (tests, tools) are only checked.
 * @returns the maps
 * @throws MapFileError naming the file and the line of what is wrong
 */
export function checkConversionFiles(root = projectPath('mappings')): MapSet {
  const project = path.resolve(root) === projectPath('mappings');
  const fileIn = (...parts: string[]): { file: string; name: string } => {
    const file = path.join(root, ...parts);
    return { file, name: path.relative(path.dirname(root), file) };
  };
  const maps = project ? projectMaps() : loadMaps(root);
  const labels = fileIn('narrative', 'labels.yaml');
  if (project) narrativeLabels('fr-FR');
  else loadNarrativeLabels(labels.file, labels.name);
  const codeSystems = fileIn('terminology', 'code-systems.yaml');
  checkCodeSystems(codeSystems.file, codeSystems.name);
  // (the project's own catalogue, as projectCatalogue() reads it)
  checkCatalogueFiles(fileIn('terminology', 'fr-FR').file, root);
  return maps;
}

/**
 * Loads and checks now what the conversions read (call it at start-up): the
 * project's maps and data files (checkConversionFiles), the project's
 * terminology catalogue and the operator's (`terminologyPath`). A broken map
 * file or a wrong catalogue path then stops the server with a clear message
 * instead of failing the first conversion.
 * @returns the maps, and the number of designations available
 * @throws MapFileError naming the file and the line of a broken file of mappings/
 */
export function preloadConversion(opts: { terminologyPath?: string } = {}): { maps: MapSet; designations: number } {
  const maps = checkConversionFiles();
  return { maps, designations: defaultCatalogue(opts.terminologyPath).size };
}

/** The table of code systems (mappings/terminology/code-systems.yaml): a list of rows { oid, uri, name }. */
function checkCodeSystems(file: string, name: string): void {
  const table = readDataFile(file, name);
  if (!Array.isArray(table.data)) throw new MapFileError(name, table.lineOf(''), 'a list of code systems { oid, uri, name } is expected');
  table.data.forEach((row, i) => {
    const problem = codeSystemRowProblem(row);
    if (problem) throw new MapFileError(name, table.lineOf(`/${i}`), problem);
  });
}

/** Every file of a catalogue folder: a FHIR CodeSystem, supplement, ValueSet or Bundle of them (read into a catalogue of its own). */
function checkCatalogueFiles(folder: string, root: string): void {
  const scratch = new TerminologyCatalogue();
  for (const file of catalogueFiles(folder)) {
    const { name, data, lineOf } = readDataFile(file, path.relative(path.dirname(root), file));
    try {
      scratch.addFhirResource(data, name);
    } catch (err) {
      const message = (err as Error).message;
      throw new MapFileError(name, lineOf(''), message.startsWith(`${name}: `) ? message.slice(name.length + 2) : message);
    }
  }
}
