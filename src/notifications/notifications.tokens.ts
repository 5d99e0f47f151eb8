/** DI tokens of the notifications module. */
export const NOTIFIER_SETTINGS = 'NOTIFIER_SETTINGS';
export const OSLO_NOTIFIER = 'OSLO_NOTIFIER';
