// CaseRoom on Azure: one Linux App Service (Node 22 LTS) runs the API, the bot (/api/messages),
// the tabs (/tab/...) and the Graph webhook (/api/graph/notifications) in one process.
//
//   App Service plan + Web App ── user-assigned identity ── Key Vault (RBAC: Key Vault Secrets User)
//        │ VNet integration (subnet `app`, all outbound traffic routed through the VNet)
//   PostgreSQL flexible server in subnet `postgres`: private access only, no public endpoint,
//        private DNS zone linked to the VNet; 35-day backups; high availability as a parameter.
//        The app serves as a least-privilege role (DATABASE_URL); the administrator's connection
//        (DATABASE_MIGRATION_URL) is used at start-up only, to migrate and grant (src/store/roles.ts).
//   Azure Bot (single-tenant, Teams channel) ──> https://<site>/api/messages
//   Log Analytics + Application Insights
//
// Deployed by `arm/deploy` in teamsapp.yml. Every `output` below is written by the toolkit to
// env/.env.<env> under the same (upper-case) name, so outputs are named as the variables the
// app (src/config.ts) and teamsapp.yml read. Nothing secret is output: .env.dev is committed.
// tests/packaging/infra.test.ts parses this file: keep one app setting per line.

@description('Prefix for resource names; a hash of the resource group keeps global names unique.')
@minLength(3)
@maxLength(10)
param resourceBaseName string = 'caseroom'

param location string = resourceGroup().location

@description('App Service plan SKU (Linux). B1 is the smallest with Always On.')
param webAppSku string = 'B1'

@description('Node processes serving requests per instance (WEB_CONCURRENCY): one per vCPU of the plan, 1 on B1, 2 on P1v3. One Node process serves from one core.')
@minValue(1)
@maxValue(32)
param webConcurrency int = 1

@description('Entra app (SSO + Microsoft Graph) created by aadApp/create.')
param aadAppClientId string
@secure()
param aadAppClientSecret string
param aadAppTenantId string = tenant().tenantId

@description('Entra app the browser signs in with outside Teams (aad.browser.manifest.json: public client, spa redirect URI, API scope only).')
param browserAppClientId string

@description('Sign-in names (comma-separated) who may run CaseRoom\'s first-run set-up besides Global, Privileged Role and Teams Administrators. Empty: only those roles.')
param setupAdminUpns string = ''

@description('Entra app of the bot (aadApp/create in teamsapp.yml: single-tenant, with its service principal).')
param botAadAppClientId string

@description('The Teams app id (manifest id): activity-feed deep links open it.')
param teamsAppId string

@description('The mailbox guests\' e-mail digests are sent from (restrict Mail.Send to it: docs/deploy.md). Empty: each firm sets one with PUT /api/firm/mail.')
param mailSender string = ''

@secure()
param botAadAppClientSecret string
@maxLength(42)
param botDisplayName string = 'CaseRoom'
param botServiceSku string = 'F0'

param postgresAdminLogin string = 'caseroomadmin'
@secure()
@minLength(12)
param postgresAdminPassword string
param postgresVersion string = '16'
param postgresSkuName string = 'Standard_B1ms'
param postgresSkuTier string = 'Burstable'
param postgresStorageGb int = 32
@description('The role the app serves requests as (rows only; no schema changes, no audit rewrites).')
param postgresAppLogin string = 'caseroom_app'
@secure()
@minLength(12)
param postgresAppPassword string
@description('Point-in-time restore window; 35 days is the longest PostgreSQL flexible server keeps.')
@minValue(7)
@maxValue(35)
param postgresBackupRetentionDays int = 35
@description('ZoneRedundant or SameZone needs a General Purpose or Memory Optimized SKU (not Burstable).')
@allowed(['Disabled', 'ZoneRedundant', 'SameZone'])
param postgresHighAvailability string = 'Disabled'
@description('Address space of the VNet that joins the app to PostgreSQL; change it if it overlaps a peered network.')
param vnetAddressPrefix string = '10.42.0.0/16'
param appSubnetPrefix string = '10.42.1.0/24'
param postgresSubnetPrefix string = '10.42.2.0/24'

@allowed(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
param logLevel string = 'info'
param authorityHost string = 'https://login.microsoftonline.com'
param graphBaseUrl string = 'https://graph.microsoft.com/v1.0'

@description('Command App Service runs after the zip deploy: package.json "serve", the build `atk deploy` made (compiled, small young generation; bench P3 measures it).')
param startupCommand string = 'npm run serve'

var suffix = uniqueString(resourceGroup().id)
var webAppName = '${resourceBaseName}-${suffix}'
var siteHost = '${webAppName}.azurewebsites.net'
var publicBaseUrl = 'https://${siteHost}'
var apiAudience = 'api://${siteHost}/${aadAppClientId}'
var keyVaultName = 'kv-${suffix}'
var postgresServerName = '${resourceBaseName}-pg-${suffix}'
var databaseName = 'caseroom'
// Built-in role "Key Vault Secrets User" (read secret contents).
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'

// ---------------------------------------------------------------- monitoring

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2022-10-01' = {
  name: '${resourceBaseName}-logs-${suffix}'
  location: location
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${resourceBaseName}-ai-${suffix}'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'Node.JS'
    WorkspaceResourceId: logAnalytics.id
  }
}

// ---------------------------------------------------------------- identity and secrets

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${resourceBaseName}-id-${suffix}'
  location: location
}

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource keyVaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault.id, identity.id, keyVaultSecretsUserRoleId)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource databaseUrlSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: 'database-url'
  properties: {
    value: 'postgresql://${postgresAppLogin}:${uriComponent(postgresAppPassword)}@${postgres.properties.fullyQualifiedDomainName}:5432/${databaseName}?sslmode=require'
  }
}

resource databaseMigrationUrlSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: 'database-migration-url'
  properties: {
    value: 'postgresql://${postgresAdminLogin}:${uriComponent(postgresAdminPassword)}@${postgres.properties.fullyQualifiedDomainName}:5432/${databaseName}?sslmode=require'
  }
}

resource clientSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: 'm365-client-secret'
  properties: { value: aadAppClientSecret }
}

resource botPasswordSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: keyVault
  name: 'bot-password'
  properties: { value: botAadAppClientSecret }
}

// ---------------------------------------------------------------- network

resource vnet 'Microsoft.Network/virtualNetworks@2023-09-01' = {
  name: '${resourceBaseName}-vnet-${suffix}'
  location: location
  properties: {
    addressSpace: { addressPrefixes: [vnetAddressPrefix] }
    subnets: [
      {
        name: 'app'
        properties: {
          addressPrefix: appSubnetPrefix
          delegations: [{ name: 'app-service', properties: { serviceName: 'Microsoft.Web/serverFarms' } }]
        }
      }
      {
        name: 'postgres'
        properties: {
          addressPrefix: postgresSubnetPrefix
          delegations: [{ name: 'postgres', properties: { serviceName: 'Microsoft.DBforPostgreSQL/flexibleServers' } }]
        }
      }
    ]
  }
}

// Private access (VNet integration): the server gets no public endpoint; its name resolves in
// this zone, linked to the VNet the app's outbound traffic goes through.
resource postgresDnsZone 'Microsoft.Network/privateDnsZones@2020-06-01' = {
  name: '${postgresServerName}.private.postgres.database.azure.com'
  location: 'global'
}

resource postgresDnsLink 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2020-06-01' = {
  parent: postgresDnsZone
  name: 'caseroom-vnet'
  location: 'global'
  properties: {
    registrationEnabled: false
    virtualNetwork: { id: vnet.id }
  }
}

// ---------------------------------------------------------------- database

resource postgres 'Microsoft.DBforPostgreSQL/flexibleServers@2022-12-01' = {
  name: postgresServerName
  location: location
  sku: {
    name: postgresSkuName
    tier: postgresSkuTier
  }
  properties: {
    version: postgresVersion
    administratorLogin: postgresAdminLogin
    administratorLoginPassword: postgresAdminPassword
    storage: { storageSizeGB: postgresStorageGb }
    backup: {
      backupRetentionDays: postgresBackupRetentionDays
      geoRedundantBackup: 'Disabled'
    }
    highAvailability: { mode: postgresHighAvailability }
    network: {
      delegatedSubnetResourceId: resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'postgres')
      privateDnsZoneArmResourceId: postgresDnsZone.id
    }
  }
  dependsOn: [
    postgresDnsLink
  ]
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2022-12-01' = {
  parent: postgres
  name: databaseName
  properties: {
    charset: 'UTF8'
    collation: 'en_US.utf8'
  }
}

// ---------------------------------------------------------------- compute

resource serverfarm 'Microsoft.Web/serverfarms@2023-01-01' = {
  name: '${resourceBaseName}-plan-${suffix}'
  location: location
  kind: 'linux'
  sku: { name: webAppSku }
  properties: { reserved: true }
}

resource webApp 'Microsoft.Web/sites@2023-01-01' = {
  name: webAppName
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    serverFarmId: serverfarm.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    virtualNetworkSubnetId: resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'app')
    siteConfig: {
      vnetRouteAllEnabled: true
      linuxFxVersion: 'NODE|22-lts'
      appCommandLine: startupCommand
      alwaysOn: true
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      http20Enabled: true
      appSettings: [
        { name: 'NODE_ENV', value: 'production' }
        { name: 'HOST', value: '0.0.0.0' }
        { name: 'LOG_LEVEL', value: logLevel }
        { name: 'WEB_CONCURRENCY', value: string(webConcurrency) }
        { name: 'PUBLIC_BASE_URL', value: publicBaseUrl }
        { name: 'M365_MODE', value: 'tenant' }
        { name: 'M365_TENANT_ID', value: aadAppTenantId }
        { name: 'M365_CLIENT_ID', value: aadAppClientId }
        { name: 'M365_BROWSER_CLIENT_ID', value: browserAppClientId }
        { name: 'SETUP_ADMIN_UPNS', value: setupAdminUpns }
        { name: 'M365_CLIENT_SECRET', value: '@Microsoft.KeyVault(SecretUri=${clientSecret.properties.secretUri})' }
        { name: 'M365_AUTHORITY_HOST', value: authorityHost }
        { name: 'GRAPH_BASE_URL', value: graphBaseUrl }
        { name: 'API_AUDIENCE', value: apiAudience }
        { name: 'BOT_ID', value: botAadAppClientId }
        { name: 'TEAMS_APP_ID', value: teamsAppId }
        { name: 'MAIL_SENDER', value: mailSender }
        { name: 'BOT_PASSWORD', value: '@Microsoft.KeyVault(SecretUri=${botPasswordSecret.properties.secretUri})' }
        { name: 'DATABASE_URL', value: '@Microsoft.KeyVault(SecretUri=${databaseUrlSecret.properties.secretUri})' }
        { name: 'DATABASE_MIGRATION_URL', value: '@Microsoft.KeyVault(SecretUri=${databaseMigrationUrlSecret.properties.secretUri})' }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsights.properties.ConnectionString }
        { name: 'SEED_DEMO_DATA', value: 'false' }
        { name: 'WEBSITE_RUN_FROM_PACKAGE', value: '1' }
        { name: 'SCM_DO_BUILD_DURING_DEPLOYMENT', value: 'false' }
      ]
    }
  }
  dependsOn: [
    keyVaultSecretsUser
    database
  ]
}

// ---------------------------------------------------------------- bot

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: '${resourceBaseName}-bot-${suffix}'
  location: 'global'
  kind: 'azurebot'
  sku: { name: botServiceSku }
  properties: {
    displayName: botDisplayName
    endpoint: '${publicBaseUrl}/api/messages'
    msaAppId: botAadAppClientId
    msaAppType: 'SingleTenant'
    msaAppTenantId: aadAppTenantId
  }
}

resource botTeamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: { isEnabled: true }
  }
}

// ---------------------------------------------------------------- outputs (-> env/.env.<env>)

// Same names and values as the app settings above (src/config.ts).
output PUBLIC_BASE_URL string = publicBaseUrl
output API_AUDIENCE string = apiAudience
output M365_TENANT_ID string = aadAppTenantId
output M365_CLIENT_ID string = aadAppClientId
output M365_BROWSER_CLIENT_ID string = browserAppClientId

// Read by teamsapp.yml, appPackage/manifest.json and aad.manifest.json.
output TAB_DOMAIN string = siteHost
output TAB_ENDPOINT string = publicBaseUrl
output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id

// For the operator (docs/deploy.md).
output KEY_VAULT_NAME string = keyVault.name
output POSTGRES_HOST string = postgres.properties.fullyQualifiedDomainName
