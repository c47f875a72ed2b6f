// The app settings the function app gets, as one pure function of the deployment's values,
// so the infra tests can compare the names with `settingNames` in src/config.ts.
// No secret and no connection string with a key: storage and the table are reached with
// the user-assigned identity, Application Insights with Entra (its connection string holds
// only the ingestion endpoint and instrumentation key, which local-auth-off makes unusable).

@export()
@description('What the app settings are computed from.')
type settingsInput = {
  @description('Login server of the watched registry, e.g. myreg.azurecr.io.')
  registryLoginServer: string
  @description('Table service URL without a trailing slash.')
  tableUrl: string
  tableName: string
  storageAccountName: string
  identityClientId: string
  appInsightsConnectionString: string
  policy: 'strict' | 'top-level'
  exemptRepositories: string
  remediation: 'record' | 'quarantine' | 'retag'
  remediationDryRun: bool
  retagFallback: 'record' | 'quarantine'
  retagBackupSuffix: string
  retagSigned: bool
  reconcileSchedule: string
}

@export()
@description('App settings: the runtime\'s identity-based storage and telemetry, then the app\'s.')
func appSettings(input settingsInput) object => {
  // Host storage over the identity (Functions "identity-based connections"); no AccountKey.
  AzureWebJobsStorage__accountName: input.storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: input.identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: input.appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${input.identityClientId};Authorization=AAD'
  // The app's own settings (DESIGN.md, Settings). COMPLIANCE_TABLE_CONNECTION_STRING is for
  // local runs against Azurite only and is never written here.
  ALLOWED_REGISTRIES: input.registryLoginServer
  COMPLIANCE_TABLE_URL: input.tableUrl
  COMPLIANCE_TABLE: input.tableName
  POLICY: input.policy
  EXEMPT_REPOSITORIES: input.exemptRepositories
  REMEDIATION: input.remediation
  // Lowercase words for booleans: ARM's string() would give 'True'.
  REMEDIATION_DRY_RUN: input.remediationDryRun ? 'true' : 'false'
  RETAG_FALLBACK: input.retagFallback
  RETAG_BACKUP_SUFFIX: input.retagBackupSuffix
  RETAG_SIGNED: input.retagSigned ? 'true' : 'false'
  RECONCILE_SCHEDULE: input.reconcileSchedule
  AZURE_CLIENT_ID: input.identityClientId
}
