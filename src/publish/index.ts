export { BundleIntegrityError, UnknownVersionError, isVersion, verifyBundle, type Bundle, type BundleManifest } from './bundle.ts';
export { publishBundle, type PublishOptions, type PublishResult } from './publish.ts';
export { listBundles, NoCurrentBundleError, readBundle, readCurrentBundle, type BundleListing } from './read.ts';
export { rollbackBundle, type RollbackResult } from './rollback.ts';
export { readGenerated, SourceError } from './source.ts';
export { DEFAULT_REDIS_PREFIX, parseTarget, redactUrl, TargetError, type Target } from './target.ts';
