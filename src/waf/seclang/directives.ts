/**
 * The directives of ModSecurity v3's reference manual (and the v2 ones libmodsecurity still
 * accepts, per its scanner src/parser/seclang-scanner.ll), with the spelling of the manual and how
 * many arguments each takes. Names are matched case-insensitively, as the scanner does.
 */

export interface DirectiveSpec {
  /** Spelling of the reference manual. */
  readonly name: string;
  readonly minArgs: number;
  /** Infinity for lists (SecRuleRemoveById 1 2 3-9). */
  readonly maxArgs: number;
}

const many = Number.POSITIVE_INFINITY;

// [name, minArgs, maxArgs]
const TABLE: ReadonlyArray<readonly [string, number, number]> = [
  ["Include", 1, 1],
  ["SecAction", 1, 1],
  ["SecArgumentSeparator", 1, 1],
  ["SecArgumentsLimit", 1, 1],
  ["SecAuditEngine", 1, 1],
  ["SecAuditLog", 1, 1],
  ["SecAuditLog2", 1, 1],
  ["SecAuditLogDirMode", 1, 1],
  ["SecAuditLogFileMode", 1, 1],
  ["SecAuditLogFormat", 1, 1],
  ["SecAuditLogParts", 1, 1],
  ["SecAuditLogRelevantStatus", 1, 1],
  ["SecAuditLogStorageDir", 1, 1],
  ["SecAuditLogType", 1, 1],
  ["SecCacheTransformations", 1, 2],
  ["SecChrootDir", 1, 1],
  ["SecCollectionTimeout", 1, 1],
  ["SecComponentSignature", 1, 1],
  ["SecConnEngine", 1, 1],
  ["SecConnReadStateLimit", 1, 2],
  ["SecConnWriteStateLimit", 1, 2],
  ["SecContentInjection", 1, 1],
  ["SecCookieFormat", 1, 1],
  ["SecCookieV0Separator", 1, 1],
  ["SecDataDir", 1, 1],
  ["SecDebugLog", 1, 1],
  ["SecDebugLogLevel", 1, 1],
  ["SecDefaultAction", 1, 1],
  ["SecDisableBackendCompression", 1, 1],
  ["SecGeoLookupDb", 1, 1],
  ["SecGsbLookupDb", 1, 1],
  ["SecGuardianLog", 1, 1],
  ["SecHashEngine", 1, 1],
  ["SecHashKey", 1, 2],
  ["SecHashMethodPm", 2, 2],
  ["SecHashMethodRx", 2, 2],
  ["SecHashParam", 1, 1],
  ["SecHttpBlKey", 1, 1],
  ["SecInterceptOnError", 1, 1],
  ["SecMarker", 1, 1],
  ["SecPcreMatchLimit", 1, 1],
  ["SecPcreMatchLimitRecursion", 1, 1],
  ["SecRemoteRules", 2, 3],
  ["SecRemoteRulesFailAction", 1, 1],
  ["SecRequestBodyAccess", 1, 1],
  ["SecRequestBodyInMemoryLimit", 1, 1],
  ["SecRequestBodyJsonDepthLimit", 1, 1],
  ["SecRequestBodyLimit", 1, 1],
  ["SecRequestBodyLimitAction", 1, 1],
  ["SecRequestBodyNoFilesLimit", 1, 1],
  ["SecResponseBodyAccess", 1, 1],
  ["SecResponseBodyLimit", 1, 1],
  ["SecResponseBodyLimitAction", 1, 1],
  ["SecResponseBodyMimeType", 1, many],
  ["SecResponseBodyMimeTypesClear", 0, 0],
  ["SecRule", 2, 3],
  ["SecRuleEngine", 1, 1],
  ["SecRuleInheritance", 1, 1],
  ["SecRulePerfTime", 1, 1],
  ["SecRuleRemoveById", 1, many],
  ["SecRuleRemoveByMsg", 1, many],
  ["SecRuleRemoveByTag", 1, many],
  ["SecRuleScript", 1, 2],
  ["SecRuleUpdateActionById", 2, 2],
  ["SecRuleUpdateTargetById", 2, 3],
  ["SecRuleUpdateTargetByMsg", 2, 3],
  ["SecRuleUpdateTargetByTag", 2, 3],
  ["SecSensorId", 1, 1],
  ["SecServerSignature", 1, 1],
  ["SecStatusEngine", 1, 1],
  ["SecStreamInBodyInspection", 1, 1],
  ["SecStreamOutBodyInspection", 1, 1],
  ["SecTmpDir", 1, 1],
  ["SecTmpSaveUploadedFiles", 1, 1],
  ["SecUnicodeMapFile", 1, 2],
  ["SecUploadDir", 1, 1],
  ["SecUploadFileLimit", 1, 1],
  ["SecUploadFileMode", 1, 1],
  ["SecUploadKeepFiles", 1, 1],
  ["SecWebAppId", 1, 1],
  ["SecXmlExternalEntity", 1, 1],
];

/** Known directives by lower-case name. */
export const SECLANG_DIRECTIVES: ReadonlyMap<string, DirectiveSpec> = new Map(
  TABLE.map(([name, minArgs, maxArgs]) => [name.toLowerCase(), { name, minArgs, maxArgs }]),
);

/** The spec of a directive name as written in a file (any case), or undefined. */
export function lookupDirective(written: string): DirectiveSpec | undefined {
  return SECLANG_DIRECTIVES.get(written.toLowerCase());
}
