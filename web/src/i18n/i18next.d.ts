// Typed keys: `t('nav.search')` compiles only when the English file has that key.
import 'i18next';
import type common from '../locales/en/common.json';
import type auth from '../locales/en/auth.json';
import type account from '../locales/en/account.json';
import type patient from '../locales/en/patient.json';
import type org from '../locales/en/org.json';
import type practice from '../locales/en/practice.json';
import type forum from '../locales/en/forum.json';
import type notify from '../locales/en/notify.json';
import type admin from '../locales/en/admin.json';
import type lib from '../locales/en/lib.json';
import type errors from '../locales/en/errors.json';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'common';
    resources: {
      common: typeof common;
      auth: typeof auth;
      account: typeof account;
      patient: typeof patient;
      org: typeof org;
      practice: typeof practice;
      forum: typeof forum;
      notify: typeof notify;
      admin: typeof admin;
      lib: typeof lib;
      errors: typeof errors;
    };
  }
}
