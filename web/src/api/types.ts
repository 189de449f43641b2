// The shapes the screens use, from the generated OpenAPI types (schema.d.ts).
import type { components } from './schema';

type S = components['schemas'];
type Pick<K extends string> = K extends keyof S ? S[K] : never;

export type Money = { amount_minor?: number | string; currency?: string };
export type Practitioner = Pick<'healthtech_org_v1_Practitioner'>;
export type SearchFacets = Pick<'healthtech_org_v1_SearchFacets'>;
export type Slot = Pick<'healthtech_appointment_v1_Slot'>;
export type Appointment = Pick<'healthtech_appointment_v1_Appointment'>;
export type Payment = Pick<'healthtech_payment_v1_Payment'>;
export type Notification = Pick<'healthtech_notification_v1_Notification'>;
export type Organization = Pick<'healthtech_org_v1_Organization'>;
export type Facility = Pick<'healthtech_org_v1_Facility'>;
export type Availability = Pick<'healthtech_appointment_v1_Availability'>;
export type VerificationItem = Pick<'healthtech_org_v1_VerificationItem'>;
export type StaffList = Pick<'healthtech_org_v1_ListStaffResponse'>;

export interface Page<T> {
  items?: T[];
  next_page_token?: string;
}
