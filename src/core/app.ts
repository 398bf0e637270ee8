/** The app id: folder name, `[package] id`, app.manifest name and the splunkd REST namespace. */
export const APP_ID = 'TA-zerotrust-events';

/** Each input run's summary, indexed beside the input's events (see runtime.ts). */
export const HEALTH_SOURCETYPE = 'ta_zerotrust:health';
