/** Where the package ships the config's JSON Schema (built by src/playbook/json-schema.ts). */
export const CONFIG_SCHEMA_IN_PACKAGE = 'mobile-release-flip/dist/schemas/release-config.schema.json';

/**
 * Relative to the config file, as yaml-language-server resolves it: the tool installed as a dev
 * dependency of the app (the way a team pins its version) puts the schema there, and the path
 * holds on every machine that checks the repository out, unlike a global install's.
 */
export const CONFIG_SCHEMA_LINE = `# yaml-language-server: $schema=./node_modules/${CONFIG_SCHEMA_IN_PACKAGE}`;

/**
 * The commented release config `release init` writes. The built-in sandbox example app is this
 * same file, so `release init && release flip --sandbox` rehearses exactly what was written.
 */
export const CONFIG_TEMPLATE = `${CONFIG_SCHEMA_LINE}
# release.config.yaml — what \`release\` needs to know about your app.
# Secrets never go in this file: reference env var names or key file paths.
# Check it with \`release validate\`; rehearse with \`release flip --sandbox\`.
# The first line lets editors complete and check it (the tool as a dev dependency); with a
# global install, point it at $(npm root -g)/${CONFIG_SCHEMA_IN_PACKAGE}.

app:
  name: Example Shop
  # The app version being shipped, as submitted to both stores: three numbers, no "v".
  # It must not lower a live minimum_version/latest_version (\`release plan\` checks).
  version: 2.0.0
  # How old apps are stopped while the breaking backend goes out:
  #   maintenance      your app shows a maintenance screen when maintenance_mode is true
  #   minimum-version  no maintenance screen: raise minimum_version (force-update wall)
  wall: maintenance
  ios:
    bundleId: com.example.shop
  android:
    package: com.example.shop
    # versionCode: 200   # the release to act on (default: the release whose name contains app.version)

backend:
  # The backend version the flip deploys (default: app.version).
  version: 2.0.0
  provider: sandbox
  # provider: command
  # Filled in, with the same meaning in deploy and rollback: {fromVersion} the version being
  # replaced, {toVersion} the one being made live, {runId} (env RELEASE_FROM_VERSION,
  # RELEASE_TO_VERSION, RELEASE_RUN_ID). A rollback goes from 2.0.0 back to 1.4.2: its
  # {toVersion} is the old version. A run keeps the commands it started with.
  # deploy: { run: [./scripts/deploy.sh, "{fromVersion}", "{toVersion}"], timeout: 30m }
  # rollback: { run: [./scripts/rollback.sh, "{fromVersion}", "{toVersion}"], timeout: 15m }
  # health: { url: https://api.example.com/health, versionPath: version }
  # waitForVersion: 10m

remoteConfig:
  provider: sandbox
  # provider: http
  # url: https://admin.example.com/config
  # headers: { Authorization: "Bearer \${CONFIG_TOKEN}" }   # from the environment
  # publicUrl: https://api.example.com/config               # what the apps read (CDN): waited for after each write
  # Where the keys the tool owns live in your config document (dotted paths).
  # These are the defaults, for a document shaped like
  #   {"android":{"latest_version","minimum_version"},"ios":{...},"maintenance_mode","feature_flags":{}}
  keys:
    maintenance: maintenance_mode
    featureFlags: feature_flags
    ios: { minimum: ios.minimum_version, latest: ios.latest_version }
    android: { minimum: android.minimum_version, latest: android.latest_version }

stores:
  ios: { provider: sandbox }
  android: { provider: sandbox }
  # The real stores (check them with \`release doctor\`):
  # ios:
  #   provider: app-store-connect
  #   issuerId: 69a6de7e-0000-0000-0000-000000000000   # App Store Connect > Users and Access > Integrations
  #   keyId: ABC123DEFG
  #   privateKey: { path: ./AuthKey_ABC123DEFG.p8 }     # or { env: ASC_PRIVATE_KEY } holding the .p8 contents
  #   internalGroup: Internal testers                    # optional: the TestFlight group that must have the build
  # android:
  #   provider: google-play
  #   credentials: { serviceAccountKey: { path: ./play-service-account.json } }
  #   # or { accessToken: { env: PLAY_ACCESS_TOKEN } }; default: GOOGLE_APPLICATION_CREDENTIALS / gcloud ADC
  #   consoleUrl: https://play.google.com/console/u/0/developers/<dev-id>/app/<app-id>/publishing

signoff:
  provider: sandbox
  # provider: human
  # smoke: { run: [npm, run, smoke], timeout: 10m }   # must pass before anyone is asked

# notify:
#   slack: { webhook: { env: SLACK_WEBHOOK_URL } }

# The forced-upgrade policy (\`release policy\`); these are the defaults (seed 001 §3):
# policy:
#   forcedUpgradeWindow: 90d   # clients older than this must upgrade
#   maxReviewLatency: 48h
#   adoptionTail: 7d
#   history:                   # Google Play reports no release dates: list past releases here
#     - { version: 1.4.2, releasedAt: 2026-11-24 }
#   adoption:                  # optional: hold the floor back while more sessions than this are below it
#     source: { command: [./metrics/share-below.sh] }   # as a rollout gate's; RELEASE_VERSION = the candidate floor
#     maxShareBelow: 5

# Rehearsals (\`--sandbox\`): the simulated world before the flip.
sandbox:
  liveVersion: 1.4.2
  backendVersion: 1.4.2
  apis: [v1, v2]
  config:
    android: { latest_version: 1.4.2, minimum_version: 1.3.0 }
    ios: { latest_version: 1.4.2, minimum_version: 1.3.0 }
    maintenance_mode: false
    feature_flags:
      enable_new_registration_flow: true
      show_revamped_banner: false
  # releaseHistory: [{ version: 1.4.2, releasedAt: 2026-11-24 }]    # for \`release policy --sandbox\` (default: weekly)
  # appRecoveries: [{ id: "7001", state: draft, versions: 140-142 }] # Play App Recovery actions that exist
`;
