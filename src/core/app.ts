/** The app id: folder name, `[package] id`, app.manifest name and the splunkd REST namespace. */
export const APP_ID = 'TA-zerotrust-events';
