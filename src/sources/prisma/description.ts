import { commonConnectionArgs, defineInput, httpsUrlCheck } from '../../core/description';

/** Prisma SaaS API hosts per region (Palo Alto Networks' Log Events API docs). */
export const PRISMA_REGIONS: Record<string, string> = {
  us: 'api.aperture.paloaltonetworks.com',
  eu: 'api.aperture-eu.paloaltonetworks.com',
  apac: 'api.aperture-apac.paloaltonetworks.com',
  uk: 'api.aperture-uk.paloaltonetworks.com',
  in: 'api.in1.prisma-saas.paloaltonetworks.com',
  au: 'api.au1.prisma-saas.paloaltonetworks.com',
  uk2: 'api.uk2.prisma-saas.paloaltonetworks.com',
  jp: 'api.jp1.prisma-saas.paloaltonetworks.com',
};

export const prismaDescription = defineInput({
  scheme: 'prisma_saas_log_events',
  title: 'Prisma SaaS log events',
  description: 'Drains the Prisma SaaS (SaaS Security API) log events queue: incidents, policy violations, remediation, activity and admin audit.',
  sourcetype: 'pan:prisma_saas',
  defaultInterval: 60,
  args: [
    {
      name: 'region', title: 'Region', type: 'string', choices: Object.keys(PRISMA_REGIONS), default: 'us',
      description: `API region: ${Object.entries(PRISMA_REGIONS).map(([k, v]) => `${k} (${v})`).join(', ')}. Ignored when base_url is set.`,
    },
    {
      name: 'base_url', title: 'Custom base URL', type: 'string', advanced: true,
      description: 'Custom API base URL, e.g. https://api.example.com. Overrides region.',
      check: httpsUrlCheck,
    },
    {
      name: 'client_id', title: 'Client ID', type: 'string', required: true,
      description: 'API client ID (Settings > External Service > Add API Client).',
    },
    {
      name: 'client_secret', title: 'Client secret', type: 'string', required: true, secret: true,
      description: 'API client secret. Stored in Splunk storage/passwords; inputs.conf keeps only ********.',
    },
    {
      name: 'api_mode', title: 'API mode', type: 'string', choices: ['bulk', 'single'], default: 'bulk', advanced: true,
      description: 'bulk reads up to 100 events per call from /api/v1/log_events_bulk; single reads one from /api/v1/log_events.',
    },
    {
      name: 'max_runtime', title: 'Maximum run time (seconds)', type: 'number', default: 240, min: 10, max: 3600, advanced: true,
      description: 'Stop draining after this many seconds; the next run goes on.',
    },
    ...commonConnectionArgs(),
  ],
});
