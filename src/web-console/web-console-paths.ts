/** Where the console is served, under the API's own origin and port. */
export const WEB_CONSOLE_PATH = '/ui';
/** The console's sign-in and sign-out: called before there is a token, so authentication skips it. */
export const WEB_CONSOLE_SESSION_PATH = `${WEB_CONSOLE_PATH}/session`;
