/**
 * The model catalog of one policy: the built-in checkpoints and the ones the
 * policy declares (`models`, with an inline architecture or one the loader
 * read from a config.json in the repository).
 */
import { modelCatalog, type ModelArchitecture, type ModelCatalog } from '../../capacity/catalog.ts';
import { parameterCounts } from '../../capacity/weights.ts';
import type { ModelDeclaration } from '../../model/model-declaration.ts';

/** A declaration as the capacity arithmetic reads it; undefined while its configFile has not been read. */
export function declaredArchitecture(m: ModelDeclaration): ModelArchitecture | undefined {
  const a = m.architecture;
  if (a === undefined) return undefined;
  const arch: ModelArchitecture = {
    id: m.id,
    layers: a.layers,
    attentionHeads: a.attentionHeads,
    kvHeads: a.kvHeads,
    headDim: a.headDim ?? a.hiddenSize / a.attentionHeads,
    hiddenSize: a.hiddenSize,
    intermediateSize: a.intermediateSize,
    vocabSize: a.vocabSize,
    maxPositionEmbeddings: a.maxPositionEmbeddings,
    tiedEmbeddings: a.tiedEmbeddings,
    parameters: 0,
    torchDtype: a.dtype,
    ...(m.quantization ? { quantization: m.quantization } : {}),
  };
  return { ...arch, parameters: a.parameters ?? parameterCounts(arch).total };
}

export function policyCatalog(models: readonly ModelDeclaration[]): ModelCatalog {
  return modelCatalog(models.flatMap((m) => declaredArchitecture(m) ?? []));
}
